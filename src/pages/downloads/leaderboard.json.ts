import type { APIRoute } from 'astro';
import { currentLeaderboard } from '../../lib/collections.ts';

export const GET: APIRoute = async () =>
  new Response(JSON.stringify(await currentLeaderboard(), null, 2) + '\n', {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

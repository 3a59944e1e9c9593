import type { APIRoute } from 'astro';
import { getEntry } from 'astro:content';
import { trackCsv } from '../../lib/exports.ts';

export const GET: APIRoute = async () => {
  const entry = await getEntry('leaderboard', 'current');
  if (!entry) {
    throw new Error('the leaderboard collection is empty');
  }
  return new Response(trackCsv(entry.data, 'A'), {
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });
};

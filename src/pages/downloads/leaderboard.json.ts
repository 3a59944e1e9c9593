import type { APIRoute } from 'astro';
import { getEntry } from 'astro:content';

export const GET: APIRoute = async () => {
  const entry = await getEntry('leaderboard', 'current');
  if (!entry) {
    throw new Error('the leaderboard collection is empty');
  }
  return new Response(JSON.stringify(entry.data, null, 2) + '\n', {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
};

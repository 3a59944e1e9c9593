import type { APIRoute, GetStaticPaths } from 'astro';
import { currentLeaderboard } from '../../lib/collections.ts';
import { trackCsv } from '../../lib/exports.ts';

export const getStaticPaths = (() =>
  (['A', 'B'] as const).map((track) => ({
    params: { track: track.toLowerCase() },
    props: { track },
  }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ track: 'A' | 'B' }> = async ({ props }) =>
  new Response(trackCsv(await currentLeaderboard(), props.track), {
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });

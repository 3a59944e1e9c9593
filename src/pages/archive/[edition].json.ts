import type { APIRoute, GetStaticPaths } from 'astro';
import { getCollection } from 'astro:content';

export const getStaticPaths = (async () =>
  (await getCollection('archive')).map((entry) => ({
    params: { edition: entry.id },
    props: { edition: entry.data },
  }))) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) =>
  new Response(JSON.stringify(props['edition'], null, 2) + '\n', {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

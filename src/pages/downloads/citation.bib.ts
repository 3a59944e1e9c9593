import type { APIRoute } from 'astro';
import { citationBibtex } from '../../lib/exports.ts';

export const GET: APIRoute = ({ site }) =>
  new Response(citationBibtex({ siteUrl: site?.href, year: new Date().getUTCFullYear() }), {
    headers: { 'content-type': 'application/x-bibtex; charset=utf-8' },
  });

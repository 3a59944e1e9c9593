/**
 * Links inside the site honour the configured base path (GitHub Pages serves project sites under
 * /<repository>/), so every internal href goes through here.
 */
export function pageUrl(path: string): string {
  const base = import.meta.env.BASE_URL.replace(/\/$/, '');
  return `${base}/${path.replace(/^\//, '')}`;
}

/**
 * Links inside the site honour the configured base path (GitHub Pages serves project sites under
 * /<repository>/), so every internal href goes through here.
 */
export function pageUrl(path: string): string {
  const base = import.meta.env.BASE_URL.replace(/\/$/, '');
  return `${base}/${path.replace(/^\//, '')}`;
}

/** The page of a board view: the home page for all tasks, `views/<domain>/` for a domain. */
export function viewUrl(view: string): string {
  return pageUrl(view === 'all' ? '' : `views/${view}/`);
}

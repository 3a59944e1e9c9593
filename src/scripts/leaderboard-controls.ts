/**
 * Progressive enhancement of the home page: a track switch (tabs), a domain filter and the sort
 * of the visible table, all kept in the URL (`?track=B&domain=sound&sort=task-x&order=ascending`)
 * so a view can be shared. Without JavaScript both tables are shown, complete and sorted by
 * weighted average.
 */
import { enhanceSortableTables, isOrder, sortTableByColumn } from './sortable-table.ts';

const DOMAINS = ['all', 'speech', 'sound', 'music'] as const;
type Track = 'A' | 'B';
type DomainFilter = (typeof DOMAINS)[number];

function updateUrl(changes: Record<string, string | undefined>): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      url.searchParams.delete(key);
    } else {
      url.searchParams.set(key, value);
    }
  }
  window.history.replaceState(null, '', url);
}

function sections(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-track-section]'));
}

function showTrack(track: Track): void {
  for (const section of sections()) {
    section.hidden = section.dataset['trackSection'] !== track;
  }
  for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-track-tab]'))) {
    const selected = tab.dataset['trackTab'] === track;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
}

function filterDomain(domain: DomainFilter): void {
  for (const cell of Array.from(document.querySelectorAll<HTMLElement>('table [data-domain]'))) {
    cell.hidden = domain !== 'all' && cell.dataset['domain'] !== domain;
  }
  const select = document.querySelector<HTMLSelectElement>('[data-domain-filter]');
  if (select) {
    select.value = domain;
  }
}

export function enhanceLeaderboard(): void {
  const params = new URLSearchParams(window.location.search);
  const track: Track = params.get('track') === 'B' ? 'B' : 'A';
  const domainParam = params.get('domain') ?? 'all';
  const domain: DomainFilter = (DOMAINS as readonly string[]).includes(domainParam)
    ? (domainParam as DomainFilter)
    : 'all';

  for (const controls of Array.from(document.querySelectorAll<HTMLElement>('[data-controls]'))) {
    controls.hidden = false;
  }
  // With the tabs visible, each track section becomes the panel of its tab.
  for (const section of sections()) {
    section.setAttribute('role', 'tabpanel');
    section.setAttribute('aria-labelledby', `tab-${section.dataset['trackSection'] ?? ''}`);
  }
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-track-tab]'));
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => {
      const chosen = tab.dataset['trackTab'] === 'B' ? 'B' : 'A';
      showTrack(chosen);
      updateUrl({ track: chosen === 'A' ? undefined : chosen, sort: undefined, order: undefined });
    });
    // Arrow keys move between tabs, as the ARIA tabs pattern expects.
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') {
        return;
      }
      const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      next?.focus();
      next?.click();
    });
  });
  document
    .querySelector<HTMLSelectElement>('[data-domain-filter]')
    ?.addEventListener('change', (event) => {
      const value = (event.target as HTMLSelectElement).value as DomainFilter;
      filterDomain(value);
      updateUrl({ domain: value === 'all' ? undefined : value });
    });

  enhanceSortableTables(document, (_table, columnId, order) => {
    updateUrl({ sort: columnId, order });
  });
  showTrack(track);
  filterDomain(domain);
  const sort = params.get('sort');
  const order = params.get('order');
  const table = document.querySelector<HTMLTableElement>(`table[data-track="${track}"]`);
  if (table && sort !== null && isOrder(order)) {
    sortTableByColumn(table, sort, order);
  }
}

/**
 * Progressive enhancement of a board page: track tabs, a text search over model, team and
 * affiliation, a task-type column filter, hiding baselines, and keeping only entries whose
 * training data is attested public without evaluation data; plus the sort of the visible table.
 * A long board shows its first PAGE_ROWS matching rows until "show all" is pressed: a table of
 * 500 rows takes a quarter of a second to lay out after every sort on a small machine.
 * All of it is kept in the URL (`?track=B&q=dasheng&type=clip&baselines=hide&clean=1&all=1&sort=...`)
 * and carried over to the domain views' links, so a view can be shared. Nothing here computes a
 * rank: filters hide rows, and the ranks shown stay those of the whole board.
 *
 * Without JavaScript both tracks are shown, complete, in rank order, and none of these controls
 * is visible.
 */
import { enhanceSortableTables, isOrder, sortTableByColumn } from './sortable-table.ts';

type Track = 'A' | 'B';

/** Rows shown before "show all". */
export const PAGE_ROWS = 100;

interface State {
  track: Track;
  query: string;
  type: string;
  hideBaselines: boolean;
  cleanOnly: boolean;
  showAll: boolean;
  sort: string | undefined;
  order: string | undefined;
}

function readState(): State {
  const params = new URLSearchParams(window.location.search);
  return {
    track: params.get('track') === 'B' ? 'B' : 'A',
    query: params.get('q') ?? '',
    type: params.get('type') ?? 'all',
    hideBaselines: params.get('baselines') === 'hide',
    cleanOnly: params.get('clean') === '1',
    showAll: params.get('all') === '1',
    sort: params.get('sort') ?? undefined,
    order: params.get('order') ?? undefined,
  };
}

/** The query string of a state, without the defaults. */
function queryOf(state: State): string {
  const params = new URLSearchParams();
  if (state.track === 'B') {
    params.set('track', 'B');
  }
  if (state.query !== '') {
    params.set('q', state.query);
  }
  if (state.type !== 'all') {
    params.set('type', state.type);
  }
  if (state.hideBaselines) {
    params.set('baselines', 'hide');
  }
  if (state.cleanOnly) {
    params.set('clean', '1');
  }
  if (state.showAll) {
    params.set('all', '1');
  }
  if (state.sort !== undefined && state.order !== undefined) {
    params.set('sort', state.sort);
    params.set('order', state.order);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function writeState(state: State): void {
  const url = new URL(window.location.href);
  url.search = queryOf(state);
  window.history.replaceState(null, '', url);
  // The domain views keep the same track, search and filters (not the sort: columns differ).
  const carried = queryOf({ ...state, sort: undefined, order: undefined });
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('[data-view-link]'))) {
    const target = new URL(link.href);
    target.search = carried;
    link.href = target.href;
  }
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

/** The task type whose columns are shown now, so columns are touched only when it changes. */
let shownType = 'all';

/**
 * Hide the rows the filters exclude and, until "show all", the rows after the first PAGE_ROWS
 * that match; hide the task columns of other types; say how many entries match.
 */
export function applyFilters(state: State): void {
  const words = state.query.toLocaleLowerCase('en').split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  for (const section of sections()) {
    const current = section.dataset['trackSection'] === state.track;
    for (const table of Array.from(
      section.querySelectorAll<HTMLTableElement>('table[data-board]'),
    )) {
      let matching = 0;
      for (const row of Array.from(table.tBodies[0]?.rows ?? [])) {
        const text = row.dataset['searchText'] ?? '';
        const excluded =
          (state.hideBaselines && row.dataset['baseline'] === 'true') ||
          (state.cleanOnly && row.dataset['clean'] !== 'true') ||
          !words.every((word) => text.includes(word));
        matching += excluded ? 0 : 1;
        row.hidden = excluded || (!state.showAll && matching > PAGE_ROWS);
      }
      if (current) {
        total += table.tBodies[0]?.rows.length ?? 0;
        shown += matching;
      }
      const more = table.closest('.table-scroll')?.nextElementSibling;
      if (more instanceof HTMLButtonElement && more.dataset['showAll'] !== undefined) {
        more.hidden = state.showAll || matching <= PAGE_ROWS;
        more.textContent = `Show all ${matching} entries`;
      }
    }
  }
  if (state.type !== shownType) {
    shownType = state.type;
    // Task columns are found by their header; the cells of a column share its index.
    for (const table of Array.from(
      document.querySelectorAll<HTMLTableElement>('table[data-board]'),
    )) {
      const headers = Array.from(table.tHead?.rows[table.tHead.rows.length - 1]?.cells ?? []);
      const hiddenColumns = new Set(
        headers.flatMap((header, index) => {
          const type = header.dataset['taskType'];
          return type !== undefined && state.type !== 'all' && type !== state.type ? [index] : [];
        }),
      );
      for (const row of Array.from(table.rows)) {
        if (row.classList.contains('column-groups')) {
          // Group headers span their domain's task columns; with columns hidden they would overhang.
          row.hidden = state.type !== 'all';
          continue;
        }
        Array.from(row.cells).forEach((cell, index) => {
          cell.hidden = hiddenColumns.has(index);
        });
      }
    }
  }
  const status = document.querySelector<HTMLElement>('[data-filter-status]');
  if (status) {
    status.textContent =
      shown === total
        ? ''
        : `${shown} of ${total} entries match; ranks are those of the whole board.`;
  }
}

export function enhanceLeaderboard(): void {
  const state = readState();
  for (const controls of Array.from(document.querySelectorAll<HTMLElement>('[data-controls]'))) {
    controls.hidden = false;
  }
  for (const hint of Array.from(document.querySelectorAll<HTMLElement>('[data-without-script]'))) {
    hint.hidden = true;
  }
  // With the tabs visible, each track section becomes the panel of its tab.
  for (const section of sections()) {
    section.setAttribute('role', 'tabpanel');
    section.setAttribute('aria-labelledby', `tab-${section.dataset['trackSection'] ?? ''}`);
  }
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-track-tab]'));
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => {
      state.track = tab.dataset['trackTab'] === 'B' ? 'B' : 'A';
      state.sort = undefined;
      state.order = undefined;
      showTrack(state.track);
      applyFilters(state);
      writeState(state);
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
  const search = document.querySelector<HTMLInputElement>('[data-search]');
  const type = document.querySelector<HTMLSelectElement>('[data-task-type-filter]');
  const baselines = document.querySelector<HTMLInputElement>('[data-hide-baselines]');
  const clean = document.querySelector<HTMLInputElement>('[data-clean-only]');
  if (search) {
    search.value = state.query;
    search.addEventListener('input', () => {
      state.query = search.value.trim();
      applyFilters(state);
      writeState(state);
    });
  }
  if (type) {
    type.value = [...type.options].some((option) => option.value === state.type)
      ? state.type
      : 'all';
    state.type = type.value;
    type.addEventListener('change', () => {
      state.type = type.value;
      applyFilters(state);
      writeState(state);
    });
  }
  for (const [box, key] of [
    [baselines, 'hideBaselines'],
    [clean, 'cleanOnly'],
  ] as const) {
    if (box) {
      box.checked = state[key];
      box.addEventListener('change', () => {
        state[key] = box.checked;
        applyFilters(state);
        writeState(state);
      });
    }
  }
  enhanceSortableTables(document, (_table, columnId, order) => {
    state.sort = columnId;
    state.order = order;
    // The first rows of the new order are the ones shown.
    applyFilters(state);
    writeState(state);
  });
  for (const table of Array.from(
    document.querySelectorAll<HTMLTableElement>('table[data-board]'),
  )) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'show-all';
    button.dataset['showAll'] = '';
    button.hidden = true;
    button.addEventListener('click', () => {
      state.showAll = true;
      applyFilters(state);
      writeState(state);
    });
    table.closest('.table-scroll')?.after(button);
  }
  showTrack(state.track);
  if (state.sort !== undefined && isOrder(state.order ?? null)) {
    for (const table of Array.from(
      document.querySelectorAll<HTMLTableElement>(`table[data-track="${state.track}"]`),
    )) {
      sortTableByColumn(table, state.sort, state.order as 'ascending' | 'descending');
    }
  }
  applyFilters(state);
  writeState(state);
}

/**
 * Progressive enhancement for `table[data-sortable]`: each column label becomes a button that
 * sorts the rows by that column (the labels are plain text without JavaScript, so no control is
 * shown that cannot work). The first click uses the column's natural order (best scores first,
 * names A to Z), the next one reverses it; missing values always go last. `aria-sort` follows
 * the state. The column headers are the last header row (a row of column groups may sit above).
 */

type Order = 'ascending' | 'descending';

export function isOrder(value: string | null): value is Order {
  return value === 'ascending' || value === 'descending';
}

function compareValues(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    return Number(a) - Number(b);
  }
  return a.localeCompare(b, 'en');
}

function headerRow(table: HTMLTableElement): HTMLTableRowElement | undefined {
  const rows = table.tHead?.rows;
  return rows ? (rows[rows.length - 1] ?? undefined) : undefined;
}

export function sortTable(table: HTMLTableElement, columnIndex: number, order: Order): void {
  const header = headerRow(table)?.cells[columnIndex];
  const body = table.tBodies[0];
  if (!header || !body) {
    return;
  }
  const numeric = header.dataset['sortType'] === 'number';
  const rows = Array.from(body.rows);
  const value = (row: HTMLTableRowElement) => row.cells[columnIndex]?.dataset['sortValue'] ?? '';
  const original = new Map(rows.map((row, index) => [row, index]));
  rows.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === '' || vb === '') {
      return va === vb ? 0 : va === '' ? 1 : -1;
    }
    const compared = compareValues(va, vb, numeric);
    // Stable: equal values keep their current relative order.
    return (
      (order === 'ascending' ? compared : -compared) ||
      (original.get(a) ?? 0) - (original.get(b) ?? 0)
    );
  });
  body.append(...rows);
  for (const cell of Array.from(headerRow(table)?.cells ?? [])) {
    cell.removeAttribute('aria-sort');
  }
  header.setAttribute('aria-sort', order);
}

/** Sort `table` by the column whose header has `data-column="<id>"`; false when there is none. */
export function sortTableByColumn(
  table: HTMLTableElement,
  columnId: string,
  order: Order,
): boolean {
  const headers = Array.from(headerRow(table)?.cells ?? []);
  const index = headers.findIndex((header) => header.dataset['column'] === columnId);
  if (index < 0) {
    return false;
  }
  sortTable(table, index, order);
  return true;
}

export type SortListener = (table: HTMLTableElement, columnId: string, order: Order) => void;

export function enhanceSortableTables(
  root: ParentNode = document,
  onSort: SortListener = () => undefined,
): void {
  for (const table of Array.from(root.querySelectorAll<HTMLTableElement>('table[data-sortable]'))) {
    const headers = Array.from(headerRow(table)?.cells ?? []);
    headers.forEach((header, index) => {
      const label = header.querySelector('.sort-label');
      if (!label) {
        return;
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort-label';
      button.append(...Array.from(label.childNodes));
      label.replaceWith(button);
      button.addEventListener('click', () => {
        const current = header.getAttribute('aria-sort');
        const first = header.dataset['firstOrder'] === 'ascending' ? 'ascending' : 'descending';
        const order: Order =
          current === first ? (first === 'ascending' ? 'descending' : 'ascending') : first;
        sortTable(table, index, order);
        onSort(table, header.dataset['column'] ?? '', order);
      });
    });
  }
}

export type { Order };

/**
 * `score --from`: the recomputed averages of an archived edition (schemas/archive.ts, shared with
 * the archive page) as a table for the terminal.
 */
import type { RecomputedAverage } from '../../schemas/archive.ts';

export { recomputeArchive, type RecomputedAverage } from '../../schemas/archive.ts';

export function formatRecomputed(rows: readonly RecomputedAverage[]): string {
  const header = ['entry', 'track', 'scope', 'tasks', 'printed', 'recomputed', 'reproduces'];
  const body = rows.map((row) => [
    row.name,
    row.track,
    row.scope,
    String(row.tasks),
    row.printed.toFixed(3),
    row.recomputed.toFixed(5),
    row.reproduces
      ? 'yes'
      : `${row.consistentWithRounding ? 'within input rounding' : 'NO'} (off by ${Math.abs(row.recomputed - row.printed).toFixed(4)})`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  );
}

/**
 * `score --from`: the recomputed averages of an archived edition (schemas/archive.ts, shared with
 * the archive page) as a table for the terminal.
 */
import { existsSync } from 'node:fs';
import { ArchiveEdition, recomputeArchive, type RecomputedAverage } from '../../schemas/archive.ts';
import { UsageError } from '../errors.ts';
import { readJsonFile } from '../io/files.ts';

export { recomputeArchive, type RecomputedAverage } from '../../schemas/archive.ts';

/** Read an archived edition (`path` as the user gave it, `resolved` to open) and recompute it. */
export async function recomputeArchiveFile(
  path: string,
  resolved: string,
): Promise<RecomputedAverage[]> {
  if (!existsSync(resolved)) {
    throw new UsageError(
      `${path} does not exist`,
      'for example: --from results/archive/icme2025.json',
    );
  }
  return recomputeArchive(await readJsonFile(resolved, ArchiveEdition, 'archived edition'));
}

/** How many printed averages the recomputation reproduces, in one sentence. */
export function summariseRecomputed(rows: readonly RecomputedAverage[]): string {
  const exact = rows.filter((row) => row.reproduces).length;
  const rounding = rows.filter((row) => !row.reproduces && row.consistentWithRounding).length;
  return `${exact} of ${rows.length} printed averages reproduce to 3 decimals; ${rounding} more within the rounding of the task scores`;
}

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

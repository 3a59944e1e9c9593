/**
 * The one text form of every JSON file the pipeline writes: validated by its schema, keys in
 * schema order, non-integer numbers rounded to {@link RESULT_DECIMALS} places, two-space
 * indentation, a final newline. The site uses it too, to compare what it recomputes with what
 * is stored, byte for byte.
 */
import type { z } from 'zod';

/** Decimal places kept for every non-integer number written to results. */
export const RESULT_DECIMALS = 6;

export function roundTo(value: number, decimals = RESULT_DECIMALS): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) {
    return value;
  }
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

const rounded = (_key: string, inner: unknown) =>
  typeof inner === 'number' ? roundTo(inner) : inner;

/** Two-space indented JSON where any object or array whose one-line form fits `width` stays on one line. */
function render(value: unknown, depth: number, width: number): string {
  const line = JSON.stringify(value, rounded);
  if (value === null || typeof value !== 'object' || line.length + 2 * depth <= width) {
    return line;
  }
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => `${pad}${render(item, depth + 1, width)}`);
    return `[\n${items.join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
  const items = entries.map(
    ([key, inner]) => `${pad}${JSON.stringify(key)}: ${render(inner, depth + 1, width)}`,
  );
  return `{\n${items.join(',\n')}\n${close}}`;
}

/**
 * Serialise `value` after validating it with `schema`, as every results file is written. With a
 * `lineWidth`, large files keep every record that fits on one line there (a standing of
 * leaderboard.json), so they stay readable and diffable without a line per number.
 */
export function formatJson<S extends z.ZodType>(
  schema: S,
  value: z.input<S>,
  lineWidth?: number,
): string {
  const parsed = schema.parse(value);
  return (
    (lineWidth === undefined ? JSON.stringify(parsed, rounded, 2) : render(parsed, 0, lineWidth)) +
    '\n'
  );
}

/** Line width of the big aggregate files (leaderboard.json, status.json). */
export const AGGREGATE_LINE_WIDTH = 400;

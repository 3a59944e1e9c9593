/**
 * File writes that never leave a torn file behind: write a temporary sibling, flush it, then
 * rename over the target (atomic on POSIX file systems).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Decimal places kept for every non-integer number written to results. */
export const RESULT_DECIMALS = 6;

export function roundTo(value: number, decimals = RESULT_DECIMALS): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) {
    return value;
  }
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * Serialise `value` after validating it with `schema`: keys come out in schema order, every
 * non-integer number is rounded to {@link RESULT_DECIMALS} places, and the file ends in a newline.
 */
export function formatJson<S extends z.ZodType>(schema: S, value: z.input<S>): string {
  const parsed = schema.parse(value);
  return (
    JSON.stringify(
      parsed,
      (_key, inner: unknown) => (typeof inner === 'number' ? roundTo(inner) : inner),
      2,
    ) + '\n'
  );
}

export async function writeJsonAtomic<S extends z.ZodType>(
  path: string,
  schema: S,
  value: z.input<S>,
): Promise<void> {
  await writeFileAtomic(path, formatJson(schema, value));
}

/** Read and validate a JSON file; errors name the file and the field. */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const text = await readFile(path, 'utf8');
  return parseWithFriendlyErrors(schema, parseJsonText(text, path), path, what);
}

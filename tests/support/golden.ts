/**
 * Golden files, as Observable Plot keeps them: a deterministic output is compared byte for byte
 * with `tests/golden/<name>`, named after the test. On a difference the new output is written
 * beside it as `<name>-changed.<ext>` (ignored by git) and the test fails with the diff; when the
 * change is intended, review the two files and move the `-changed` one over the golden one. A
 * missing golden file is written (and its test passes) on a developer's machine, and fails in CI,
 * where nobody would review it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { expect } from 'vitest';

const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');

export function changedPath(path: string): string {
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-changed${extension}`;
}

export async function expectGolden(name: string, actual: string): Promise<void> {
  const path = join(GOLDEN_DIR, name);
  const changed = changedPath(path);
  if (!existsSync(path)) {
    if (process.env['CI']) {
      throw new Error(
        `${path} does not exist: run this test on your machine once to write it, review it and commit it`,
      );
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual);
    return;
  }
  const expected = await readFile(path, 'utf8');
  if (expected === actual) {
    await rm(changed, { force: true });
    return;
  }
  await writeFile(changed, actual);
  expect(
    actual,
    `differs from ${path}; the new output is in ${changed}: if the change is intended, move it over the golden file`,
  ).toBe(expected);
}

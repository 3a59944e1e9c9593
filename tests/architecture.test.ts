/**
 * The folder layout is the architecture: schemas/ is a leaf, the site reads only schemas/ and
 * results, and onnxruntime-node is owned by one module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|astro|mjs)$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*import\s[^'"]*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] ?? match[2] ?? '');
}

describe('module boundaries', () => {
  it('keeps onnxruntime-node inside pipeline/runtime/ort.ts', () => {
    const importers = [
      ...sourceFiles('pipeline'),
      ...sourceFiles('src'),
      ...sourceFiles('schemas'),
    ].filter((file) => importsOf(file).some((specifier) => specifier.startsWith('onnxruntime')));
    expect(importers).toEqual(['pipeline/runtime/ort.ts']);
  });

  it('lets the site import the shared schemas but never the pipeline', () => {
    const offenders = sourceFiles('src').flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier.includes('pipeline/'))
        .map((specifier) => `${file} -> ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the lower pipeline folders from importing the ones built on them', () => {
    // data/ and text/ are used by suites/ and scoring/ by run/; an import back up is a cycle.
    const above: Readonly<Record<string, readonly string[]>> = {
      'pipeline/data': ['suites/', 'run/'],
      'pipeline/text': ['suites/', 'run/'],
      'pipeline/scoring': ['run/loop.ts', 'run/pair.ts'],
    };
    const offenders = Object.entries(above).flatMap(([folder, forbidden]) =>
      sourceFiles(folder).flatMap((file) =>
        importsOf(file)
          .filter((specifier) => forbidden.some((part) => specifier.includes(part)))
          .map((specifier) => `${file} -> ${specifier}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps schemas/ a leaf that imports only zod and itself', () => {
    const offenders = sourceFiles('schemas').flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier !== 'zod' && !/^\.\/[\w-]+\.ts$/.test(specifier))
        .map((specifier) => `${file} -> ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });
});

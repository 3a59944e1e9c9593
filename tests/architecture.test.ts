/**
 * The folder layout is the architecture: schemas/ is a leaf, the site reads only schemas/ and
 * results, onnxruntime-node is owned by one module, and inside pipeline/ a lower folder never
 * reaches up into the code that drives it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|astro|mjs)$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/**
 * Static imports (`import type` included), re-exports (`export … from`, `export * from`) and
 * dynamic imports: a module reached through any of them is a dependency.
 */
const MODULE_REFERENCE =
  /(?:^|\n)\s*import\s[^'"]*['"]([^'"]+)['"]|(?:^|\n)\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiersIn(text: string): string[] {
  return [...text.matchAll(MODULE_REFERENCE)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  );
}

function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(join(root, file), 'utf8'));
}

/** The repository path a relative specifier names; package names are returned as they are. */
function resolvedImportsOf(file: string): string[] {
  return importsOf(file).map((specifier) =>
    specifier.startsWith('.') ? relative(root, join(root, dirname(file), specifier)) : specifier,
  );
}

interface FolderRule {
  /** Files under this folder (or this file) must not import… */
  readonly from: string;
  /** …any of these files or folders (a folder ends with "/"). */
  readonly forbidden: readonly string[];
  readonly why: string;
}

/** Lower folders of pipeline/ that higher ones build on; the reverse direction is a cycle in waiting. */
const FOLDER_RULES: readonly FolderRule[] = [
  {
    from: 'pipeline/scoring/',
    forbidden: ['pipeline/run/', 'pipeline/cli/', 'pipeline/cli.ts'],
    why: 'the run loop (and the merge of its shards) calls scoring, so scoring cannot depend on it',
  },
  {
    from: 'pipeline/data/',
    forbidden: ['pipeline/suites/', 'pipeline/run/', 'pipeline/cli/', 'pipeline/cli.ts'],
    why: 'suites generate their data through data/, so data/ cannot depend on a suite',
  },
  {
    from: 'pipeline/text/',
    forbidden: ['pipeline/suites/', 'pipeline/run/', 'pipeline/cli/', 'pipeline/cli.ts'],
    why: 'tokenizers serve every suite, so they cannot depend on one',
  },
];

function folderRuleViolations(
  files: readonly string[],
  importsOfFile: (file: string) => readonly string[],
  rules: readonly FolderRule[] = FOLDER_RULES,
): string[] {
  return rules.flatMap((rule) =>
    files
      .filter((file) => file.startsWith(rule.from))
      .flatMap((file) =>
        importsOfFile(file)
          .filter((target) =>
            rule.forbidden.some((forbidden) =>
              forbidden.endsWith('/') ? target.startsWith(forbidden) : target === forbidden,
            ),
          )
          .map((target) => `${file} -> ${target}`),
      ),
  );
}

describe('module references', () => {
  it('sees imports, type imports, re-exports and dynamic imports', () => {
    expect(
      specifiersIn(
        [
          "import { a } from './a.ts';",
          "import type { B } from './b.ts';",
          'import {\n  c,\n  d,\n} from "./c.ts";',
          "export { e } from './e.ts';",
          "export type { F } from './f.ts';",
          "export * from './g.ts';",
          "export * as h from './h.ts';",
          "const i = await import('./i.ts');",
          "export const notAnImport = 'j.ts';",
        ].join('\n'),
      ),
    ).toEqual(['./a.ts', './b.ts', './c.ts', './e.ts', './f.ts', './g.ts', './h.ts', './i.ts']);
  });
});

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

  it('shares the helpers of tests and bench through tests/support/ alone', () => {
    // bench may use what tests use (a site build, Chromium, synthetic boards) only from there;
    // tests reach into bench/ only to test bench's own code (tests/bench/).
    const offenders = [
      ...sourceFiles('bench').flatMap((file) =>
        resolvedImportsOf(file)
          .filter((target) => target.startsWith('tests/') && !target.startsWith('tests/support/'))
          .map((target) => `${file} -> ${target}`),
      ),
      ...sourceFiles('tests')
        .filter((file) => !file.startsWith('tests/bench/'))
        .flatMap((file) =>
          resolvedImportsOf(file)
            .filter((target) => target.startsWith('bench/'))
            .map((target) => `${file} -> ${target}`),
        ),
    ];
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

  it('never imports from a higher folder of pipeline/ into a lower one', () => {
    expect(folderRuleViolations(sourceFiles('pipeline'), resolvedImportsOf)).toEqual([]);
  });

  it('reports a back-import made through a re-export', () => {
    const files = ['pipeline/scoring/relay.ts', 'pipeline/data/labels.ts'];
    const references: Record<string, string[]> = {
      'pipeline/scoring/relay.ts': specifiersIn("export { evaluate } from '../run/loop.ts';"),
      'pipeline/data/labels.ts': specifiersIn("import type { Suite } from '../suites/index.ts';"),
    };
    const resolve = (file: string) =>
      (references[file] ?? []).map((specifier) =>
        relative(root, join(root, dirname(file), specifier)),
      );
    expect(folderRuleViolations(files, resolve)).toEqual([
      'pipeline/scoring/relay.ts -> pipeline/run/loop.ts',
      'pipeline/data/labels.ts -> pipeline/suites/index.ts',
    ]);
  });
});

/** Markdown tables for generated documentation (the README's CLI tables, docs/rehearsal.md). */
import { readFile, writeFile } from 'node:fs/promises';

/** A markdown table; a `|` in a cell, code spans included, must be escaped in GFM. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

/**
 * A generated table without the padding and dash counts prettier chooses, so that a document as
 * formatted and the table as generated compare equal when their cells do.
 */
export function normalizeTables(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^:?-+:?$/, '---'))
            .join(' | ')
        : line,
    )
    .join('\n');
}

/** The text between `start` and `end` in `document`, or undefined without both markers. */
export function between(document: string, start: string, end: string): string | undefined {
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  return from < 0 || to < from ? undefined : document.slice(from + start.length, to);
}

/** `document` with the text between the markers replaced by `content` (blank lines around it). */
export function replaceBetween(
  document: string,
  start: string,
  end: string,
  content: string,
): string {
  const from = document.indexOf(start) + start.length;
  const to = document.indexOf(end);
  return `${document.slice(0, from)}\n\n${content}\n\n${document.slice(to)}`;
}

/**
 * Rewrites the section between the markers of the markdown file at `path` with `content`,
 * formatted by prettier as `npm test` checks it. Used by the scripts that regenerate docs.
 */
export async function writeGeneratedSection(
  path: string,
  start: string,
  end: string,
  content: string,
): Promise<void> {
  const page = await readFile(path, 'utf8');
  if (between(page, start, end) === undefined) {
    throw new Error(`${path} has no "${start}" ... "${end}" section`);
  }
  // prettier is a devDependency: imported only here, never by the pipeline's commands.
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(path);
  const updated = replaceBetween(page, start, end, content);
  await writeFile(path, await prettier.format(updated, { ...options, filepath: path }));
}

/**
 * Rewrites the shard lists of a task file (`data discover --write`): the `splits` block becomes
 * the discovered lists, `filesVerified` becomes true, and a comment above `splits` names the files
 * X-ARES's globs match that the lists leave out. Everything else in the file stays as it is. The
 * output is formatted as prettier formats it (print width 100), so the diff is only the lists.
 */
import { readFile } from 'node:fs/promises';
import type { TaskSplits } from '../../schemas/task.ts';
import { leftOutNotes, type DiscoveredTask } from '../data/discover.ts';
import { PipelineError } from '../errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import { splitShards } from './splits.ts';

const PRINT_WIDTH = 100;
/** First line of the comment this module writes (and replaces on the next run). */
const NOTE_HEADER = '// Left out by `data discover`:';

function quoted(name: string): string {
  return `'${name.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** `key: [...]` at `indent`, on one line when it fits, else one name per line. */
function listLines(key: string, names: readonly string[], indent: string): string[] {
  const oneLine = `${indent}${key}: [${names.map(quoted).join(', ')}],`;
  if (names.length === 0 || oneLine.length <= PRINT_WIDTH) {
    return [oneLine];
  }
  return [
    `${indent}${key}: [`,
    ...names.map((name) => `${indent}  ${quoted(name)},`),
    `${indent}],`,
  ];
}

function splitsLines(splits: TaskSplits): string[] {
  if (splits.kind === 'standard') {
    return [
      '  splits: {',
      "    kind: 'standard',",
      ...listLines('train', splits.train, '    '),
      ...listLines('valid', splits.valid, '    '),
      ...listLines('test', splits.test, '    '),
      '  },',
    ];
  }
  return [
    '  splits: {',
    "    kind: 'folds',",
    '    folds: [',
    ...splits.folds.flatMap((fold) => [
      '      {',
      `        id: ${quoted(fold.id)},`,
      ...listLines('shards', fold.shards, '        '),
      '      },',
    ]),
    '    ],',
    '  },',
  ];
}

function commentLines(notes: readonly string[]): string[] {
  if (notes.length === 0) {
    return [];
  }
  const lines = [`  ${NOTE_HEADER}`];
  for (const note of notes) {
    // Wrapped at the print width, continuation lines indented under the dash.
    let line = '  // - ';
    for (const word of note.split(' ')) {
      if (
        line.length + word.length + 1 > PRINT_WIDTH &&
        !line.endsWith('- ') &&
        !line.endsWith('   ')
      ) {
        lines.push(line.trimEnd());
        line = '  //   ';
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** `text` (a task file) with its splits replaced, `filesVerified: true`, and the notes above. */
export function rewriteTaskFileSplits(
  text: string,
  file: string,
  splits: TaskSplits,
  notes: readonly string[],
): string {
  const lines = text.split('\n');
  const start = lines.indexOf('  splits: {');
  const end = start < 0 ? -1 : lines.indexOf('  },', start);
  const verified = lines.findIndex((line) => /^ {4}filesVerified: (true|false),$/.test(line));
  if (start < 0 || end < 0 || verified < 0) {
    throw new PipelineError(
      'TASK_INVALID',
      `${file}: cannot find the "splits" block and "filesVerified" line that data discover rewrites`,
      {
        hint: 'keep the task file as prettier formats it (`npm run format`): "  splits: {" ... "  }," and "    filesVerified: ...," under source',
      },
    );
  }
  let noteStart = start;
  if (lines[start - 1]?.startsWith('  //') === true) {
    // An earlier note of this module: from its header down to the splits.
    const header = lines.lastIndexOf(`  ${NOTE_HEADER}`, start - 1);
    const onlyComments =
      header >= 0 && lines.slice(header, start).every((line) => line.startsWith('  //'));
    if (onlyComments) {
      noteStart = header;
    }
  }
  const rewritten = [
    ...lines.slice(0, noteStart),
    ...commentLines(notes),
    ...splitsLines(splits),
    ...lines.slice(end + 1),
  ];
  const verifiedAt = rewritten.findIndex((line) => /^ {4}filesVerified: (true|false),$/.test(line));
  rewritten[verifiedAt] = '    filesVerified: true,';
  return rewritten.join('\n');
}

/** One line per split whose list changes: "train 0 -> 20 shards". */
function changes(before: TaskSplits, after: TaskSplits): string[] {
  const old = splitShards({ splits: before });
  const lines: string[] = [];
  for (const [group, names] of splitShards({ splits: after })) {
    const was = old.get(group) ?? [];
    if (was.join('\n') !== names.join('\n')) {
      lines.push(`${group} ${was.length} -> ${names.length} shard${names.length === 1 ? '' : 's'}`);
    }
  }
  return lines;
}

/**
 * `data discover --write`: each discovered task's file (by id in `files`) rewritten in place;
 * returns what changed, in words, for the organiser to review before committing.
 */
export async function writeDiscoveredTaskFiles(
  discovered: readonly DiscoveredTask[],
  files: ReadonlyMap<string, string>,
): Promise<string[]> {
  const report: string[] = [];
  for (const { task, discovery } of discovered) {
    const path = files.get(task.id);
    if (path === undefined) {
      throw new Error(`no task file for ${task.id}`);
    }
    const before = await readFile(path, 'utf8');
    const notes = leftOutNotes(discovery);
    const after = rewriteTaskFileSplits(before, path, discovery.splits, notes);
    const verifiedBefore = task.source.kind === 'zenodo' && task.source.filesVerified;
    const changed = [
      ...changes(task.splits, discovery.splits),
      ...(verifiedBefore ? [] : ['filesVerified false -> true']),
      ...discovery.leftOut.map((file) => `left out ${file.name} (matches "${file.pattern}")`),
    ];
    if (after === before) {
      report.push(`${path}: unchanged`);
      continue;
    }
    await writeFileAtomic(path, after);
    report.push(`${path}: ${changed.length > 0 ? changed.join('; ') : 'notes updated'}`);
  }
  return report;
}

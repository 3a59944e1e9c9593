import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { discoverSplits } from '../../../pipeline/data/discover.ts';
import { getTask } from '../../../pipeline/tasks/registry.ts';
import {
  rewriteTaskFileSplits,
  writeDiscoveredTaskFiles,
} from '../../../pipeline/tasks/task-file.ts';

const root = join(import.meta.dirname, '..', '..', '..');

async function formatted(text: string, path: string): Promise<string> {
  const options = await prettier.resolveConfig(join(root, 'pipeline/tasks/xares/esc50.ts'));
  return prettier.format(text, { ...options, filepath: path });
}

describe('data discover --write', () => {
  it('rewrites only the lists, the flag and the note, as prettier formats them', async () => {
    const path = join(root, 'pipeline/tasks/xares/nsynthinstument.ts');
    const before = await readFile(path, 'utf8');
    const names = [
      ...Array.from({ length: 12 }, (_, i) => `nsynth_train_${String(i).padStart(7, '0')}.tar`),
      'nsynth_train_sub55k_0000000.tar',
      'nsynth_valid_0000000.tar',
      'nsynth_test_0000000.tar',
    ];
    const discovery = discoverSplits(
      getTask('nsynthinstument'),
      names.map((key) => ({ key, size: 1 })),
    );
    const after = rewriteTaskFileSplits(before, path, discovery.splits, [
      'nsynth_train_sub55k_0000000.tar: left out',
    ]);
    expect(after).toBe(await formatted(after, path));
    expect(after).toContain('    filesVerified: true,');
    expect(after).toContain(
      '  // Left out by `data discover`:\n  // - nsynth_train_sub55k_0000000.tar: left out\n  splits: {',
    );
    expect(after).not.toContain("'nsynth_train_sub55k_0000000.tar'");
    // Nothing but the splits, the flag and the note changed.
    const unchanged = (text: string) =>
      text
        .replace(/ {2}\/\/ Left out[\s\S]*?(?= {2}splits)/, '')
        .replace(/ {2}splits: \{[\s\S]*?\n {2}\},\n/, '')
        .replace('filesVerified: true', 'filesVerified: false');
    expect(unchanged(after)).toBe(unchanged(before));
    // A second run replaces the note instead of stacking another.
    const again = rewriteTaskFileSplits(after, path, discovery.splits, ['a newer note']);
    expect(again.match(/Left out by/g)).toHaveLength(1);
    expect(again).toContain('  // - a newer note\n');
  });

  it('writes fold lists and reports what changed, file by file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'task-files-'));
    const copy = join(folder, 'esc50.ts');
    await writeFile(copy, await readFile(join(root, 'pipeline/tasks/xares/esc50.ts')));
    const task = getTask('esc50');
    const files = [1, 2, 3, 4, 5].flatMap((fold) =>
      [0, 1].map((shard) => ({ key: `wds-audio-fold-${fold}-00000${shard}.tar`, size: 1 })),
    );
    const report = await writeDiscoveredTaskFiles(
      [{ task, discovery: discoverSplits(task, files) }],
      new Map([['esc50', copy]]),
    );
    expect(report).toEqual([
      `${copy}: 1 0 -> 2 shards; 2 0 -> 2 shards; 3 0 -> 2 shards; 4 0 -> 2 shards; 5 0 -> 2 shards; filesVerified false -> true`,
    ]);
    const text = await readFile(copy, 'utf8');
    expect(text).toBe(await formatted(text, copy));
    expect(text).toContain(
      "shards: ['wds-audio-fold-3-000000.tar', 'wds-audio-fold-3-000001.tar'],",
    );
  });

  it('refuses a task file whose splits block it cannot find, naming the file', () => {
    expect(() =>
      rewriteTaskFileSplits(
        'export default {};\n',
        'pipeline/tasks/xares/odd.ts',
        { kind: 'standard', train: [], valid: [], test: [] },
        [],
      ),
    ).toThrow(/pipeline\/tasks\/xares\/odd.ts: cannot find the "splits" block/);
  });
});

/**
 * Issue 27, finding 9: six processes taking one results lock 170 times each (5 ms polling),
 * while twenty more take it once and exit holding it (the stale locks the others must take
 * over): never two holders at once over 1,040 takes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CONTENDER = join(import.meta.dirname, '..', 'support', 'lock-contender.ts');

function contender(
  dir: string,
  args: readonly string[],
): Promise<{ violations: number; takes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONTENDER, dir, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`lock contender exited with ${code}`));
        return;
      }
      resolve(
        JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { violations: number; takes: number },
      );
    });
  });
}

describe('the results lock under many processes', () => {
  it(
    'never has two holders over 1,040 takes, with stale locks to take over',
    { timeout: 600_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'lock-harness-'));
      const dying = (async () => {
        const outcomes = [];
        for (let i = 0; i < 20; i++) {
          outcomes.push(await contender(dir, ['1', '--die']));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return outcomes;
      })();
      const outcomes = [
        ...(await Promise.all(Array.from({ length: 6 }, () => contender(dir, ['170'])))),
        ...(await dying),
      ];
      expect(outcomes.reduce((sum, outcome) => sum + outcome.takes, 0)).toBe(1040);
      expect(outcomes.map((outcome) => outcome.violations)).toEqual(outcomes.map(() => 0));
      // Nothing left behind but, possibly, the last dying process's lock.
      expect((await readdir(dir)).filter((name) => name !== '.lock')).toEqual([]);
    },
  );
});

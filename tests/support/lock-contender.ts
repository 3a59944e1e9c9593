/**
 * One process of the many-process lock harness (tests/slow/lock-harness.test.ts): takes the
 * results lock of a folder `takes` times and, while holding it, creates `inside` exclusively;
 * finding it there means two processes held the lock at once. With `--die`, takes it once and
 * exits without releasing it, as kill -9 would leave it. Prints {"violations": n, "takes": n}.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireResultsLock } from '../../pipeline/io/results-lock.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';

const [dir = '', takesText = '1', mode = ''] = process.argv.slice(2);
const takes = mode === '--die' ? 1 : Number(takesText);
const inside = join(dir, 'inside');
let violations = 0;
for (let take = 0; take < takes; take++) {
  const release = await acquireResultsLock(dir, {
    command: `contender ${process.pid}`,
    logger: createMemoryLogger(),
    waitSeconds: 600,
    pollMilliseconds: 5,
  });
  try {
    const handle = await open(inside, 'wx');
    await handle.close();
  } catch {
    violations++;
  }
  // Hold it across a few turns of the event loop, as a short command would.
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  await rm(inside, { force: true });
  if (mode === '--die') {
    process.stdout.write(`${JSON.stringify({ violations, takes: 1 })}\n`);
    process.exit(0);
  }
  await release();
}
process.stdout.write(`${JSON.stringify({ violations, takes })}\n`);

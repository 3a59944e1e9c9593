/**
 * The leaderboard aggregation end to end on fixed inputs: `leaderboard.json` rebuilt from the
 * fixture runs (tests/fixtures/runs) and the example submissions is the golden file, byte for
 * byte. In the demo-world project because it reads the example models, which the world writes.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { rebuildLeaderboard } from '../../../pipeline/scoring/aggregate.ts';
import { scanSubmissions } from '../../../pipeline/submissions/scan.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { PROTOCOLS } from '../../../schemas/protocols.ts';
import { leaderboardFile } from '../../../schemas/results-layout.ts';
import { REPOSITORY_ROOT } from '../../support/build-site.ts';
import { BUDGETS } from '../../support/budgets.ts';
import { demoWorld } from '../../support/demo-world.ts';
import { expectGolden } from '../../support/golden.ts';

const FIXTURE_TASKS = ['demo_sound_events', 'demo_timbre'];

describe('leaderboard.json rebuilt from the fixture runs', () => {
  it(
    'is the golden file',
    async () => {
      await demoWorld();
      const work = await mkdtemp(join(tmpdir(), 'fixture-leaderboard-'));
      await cp(join(REPOSITORY_ROOT, 'tests', 'fixtures', 'runs'), join(work, 'runs'), {
        recursive: true,
      });
      const suite = getSuite('demo');
      await rebuildLeaderboard(
        work,
        suite,
        PROTOCOLS.leaderboard,
        suiteTasks(suite).filter((task) => FIXTURE_TASKS.includes(task.id)),
        await scanSubmissions(join(REPOSITORY_ROOT, 'submissions'), join(work, 'cache')),
        join(work, 'cache'),
        [],
      );
      await expectGolden('fixture-leaderboard.json', await readFile(leaderboardFile(work), 'utf8'));
    },
    BUDGETS.demoWorld,
  );
});

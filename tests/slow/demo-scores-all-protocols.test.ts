/**
 * `npm run build`'s evaluation in full: every example encoder on every demo task under both
 * protocols, scored as the golden file says. `npm test`'s demo world runs X-ARES as shipped on
 * one task only (tests/golden/demo-scores.tsv); this is the rest of it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_ENCODERS } from '../../pipeline/example-encoders/examples.ts';
import { BUDGETS } from '../support/budgets.ts';
import { demoScoresTable } from '../support/demo-scores.ts';
import { expectGolden } from '../support/golden.ts';
import { launch } from '../support/pipeline-process.ts';

describe('the demo suite under every protocol', () => {
  it(
    'scores every (example, task) as the golden file says',
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'all-protocols-'));
      const run = launch(work, ['evaluate', '--protocol', 'all']);
      expect((await run.exited).code, run.output()).toBe(0);
      await expectGolden(
        'demo-scores-all-protocols.tsv',
        await demoScoresTable(
          join(work, 'results'),
          EXAMPLE_ENCODERS.map((example) => example.slug),
        ),
      );
    },
    BUDGETS.soak,
  );
});

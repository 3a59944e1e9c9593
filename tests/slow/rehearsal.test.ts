/**
 * The smallest rehearsal of every public X-ARES task under both protocols, with the off-by-one
 * control (about 3 minutes idle on 2 cores); npm test runs the main protocol alone
 * (tests/e2e/rehearsal.test.ts).
 */
import { describe, it } from 'vitest';
import { BUDGETS } from '../support/budgets.ts';
import { rehearseSmallest } from '../support/rehearsal-run.ts';

describe('rehearse, both protocols and the control', () => {
  it(
    'takes all 22 public tasks from generated records to results, the control included',
    () => rehearseSmallest(['leaderboard', 'xares-0.1.3'], true),
    BUDGETS.rehearsal,
  );
});

/**
 * The rehearsal at the smallest scale: every public X-ARES task (every task type and label
 * format) generated in X-ARES's formats, served by the local Zenodo, discovered into copies of
 * the task files, verified, and evaluated by the log-mel baseline. Each split has a batch or
 * two, so the plumbing and the files are checked, not learnability (the acceptance run and the
 * bench do that). The slow tests add the X-ARES edition and the control.
 */
import { describe, it } from 'vitest';
import { BUDGETS } from '../support/budgets.ts';
import { rehearseSmallest } from '../support/rehearsal-run.ts';

describe('rehearse', () => {
  it(
    'takes all 22 public tasks from generated records to results',
    () => rehearseSmallest(['leaderboard'], false),
    BUDGETS.rehearsal,
  );
});

/**
 * The rehearsal at the smallest scale: one public X-ARES task of every task type and label
 * format (EVERY_FORMAT, 11 of the 22) generated in X-ARES's formats, served by the local Zenodo, discovered into copies of
 * the task files, verified, and evaluated by the log-mel baseline. Each split has a batch or
 * two, so the plumbing and the files are checked, not learnability (the acceptance run and the
 * bench do that). The slow tests run all 22 with the X-ARES edition and the control.
 */
import { describe, it } from 'vitest';
import { BUDGETS } from '../support/budgets.ts';
import { EVERY_FORMAT, rehearseSmallest } from '../support/rehearsal-run.ts';

describe('rehearse', () => {
  it(
    'takes a task of every type and label format from generated records to results',
    () => rehearseSmallest(['leaderboard'], false, EVERY_FORMAT),
    BUDGETS.rehearsal,
  );
});

/**
 * The site at 30 submissions, as built HTML; the same board in Chromium, and one of 500, are the
 * scale runs of tests/slow/board-in-chromium.test.ts.
 */
import { describeBoardAtScale } from '../support/board-at-scale.ts';

describeBoardAtScale(30, { browser: false });

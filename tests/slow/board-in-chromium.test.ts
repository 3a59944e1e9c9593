/**
 * Boards of 30 and 500 synthetic submissions in Chromium: the scale runs of the demo build's
 * browser checks (tests/e2e/board-scale.test.ts checks the 30-entry board's HTML in npm test).
 */
import { describeBoardAtScale } from '../support/board-at-scale.ts';

describeBoardAtScale(30, { browser: true });
describeBoardAtScale(500, { browser: true });

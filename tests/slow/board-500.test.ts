/** The site at 500 submissions: the scale run of tests/e2e/board-scale.test.ts's checks. */
import { describeBoardAtScale } from '../support/board-at-scale.ts';

describeBoardAtScale(500);

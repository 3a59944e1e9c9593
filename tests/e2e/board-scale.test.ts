/** The site at 30 submissions; 500 is the scale run tests/slow/board-500.test.ts. */
import { describeBoardAtScale } from '../support/board-at-scale.ts';

describeBoardAtScale(30);

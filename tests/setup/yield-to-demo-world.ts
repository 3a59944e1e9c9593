/**
 * Setup file of the unit projects: their worker processes (and the processes their tests start)
 * run at a lower priority than the demo world, which builds in the background meanwhile. The
 * world is what the second group of tests waits for; the unit tests take the cores it leaves.
 */
import { getPriority, setPriority } from 'node:os';

/** Niceness of the unit tests' processes (0 is the default; 19 the lowest priority). */
const UNIT_NICENESS = 5;

// Lowering one's own priority needs no privilege; a process already lower is left as it is.
if (getPriority() < UNIT_NICENESS) {
  setPriority(UNIT_NICENESS);
}

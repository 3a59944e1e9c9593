/**
 * The protocol's percentages as the site's text quotes them, read from schemas/protocols.ts (the
 * constants the pipeline computes with), so no page can state a level other than the one used.
 */
import { BEATS_PERCENT, INTERVAL_PERCENT } from '../../schemas/protocols.ts';
import { formatPercent } from './format.ts';

/** "95%": the level of every interval the site shows. */
export const INTERVAL_LEVEL = formatPercent(INTERVAL_PERCENT);

/** "97.5%": the share of paired resamples an entry must win to rank above another. */
export const BEATS_LEVEL = formatPercent(BEATS_PERCENT);

/**
 * Version constants that go into every result's provenance and cache key. The protocols
 * themselves (ids, batching) and the numbers the site quotes (seed, kNN) are in
 * schemas/protocols.ts, shared with the site.
 */
export { KNN_NEIGHBOURS, KNN_TEMPERATURE, SEED } from '../schemas/protocols.ts';

/**
 * Bumped whenever the numbers the engine produces for the same inputs change (front end,
 * heads, metrics). Stored results from another engine version are recomputed.
 */
export const ENGINE_VERSION = 5;

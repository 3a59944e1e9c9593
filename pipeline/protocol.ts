/**
 * Version constants that go into every result's provenance and cache key. The protocols
 * themselves (ids, batching) are in schemas/protocols.ts, shared with the site.
 */

/**
 * Bumped whenever the numbers the engine produces for the same inputs change (front end,
 * heads, metrics). Stored results from another engine version are recomputed.
 */
export const ENGINE_VERSION = 5;

/** X-ARES `TaskConfig.seed`. */
export const SEED = 42;

/** Track B: neighbours and softmax temperature of the X-ARES kNN. */
export const KNN_NEIGHBOURS = 10;
export const KNN_TEMPERATURE = 0.07;

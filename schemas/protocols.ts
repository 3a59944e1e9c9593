/**
 * The evaluation protocols a suite can be scored under, shared by the pipeline (which runs them)
 * and the site (which shows each as its own edition). Results of different protocols are never
 * mixed: each has its own results folder, its own fingerprints and its own leaderboard.
 */
import { z } from 'zod';

/** What a user types after `--protocol`. */
export const ProtocolName = z.enum(['leaderboard', 'xares-0.1.3']);
export type ProtocolName = z.infer<typeof ProtocolName>;

export const DEFAULT_PROTOCOL: ProtocolName = 'leaderboard';

/*
 * The numbers every protocol shares, owned here because the pipeline computes with them and the
 * site quotes them: a page can never state a number other than the one the results came from.
 */

/** X-ARES `TaskConfig.seed`: heads' initialisation, shuffles and bootstrap resamples derive from it. */
export const SEED = 42;

/** Bootstrap resamples of the test items of each fold. */
export const BOOTSTRAP_REPLICATES = 1000;

/** Level of the percentile bootstrap intervals, in percent (so percentiles 2.5 and 97.5). */
export const INTERVAL_PERCENT = 95;

/** Percent of the paired resamples an entry must win for it to beat another. */
export const BEATS_PERCENT = 97.5;

/** Track A's optimiser: torch.optim.Adam defaults (betas and epsilon), as X-ARES uses it. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Track A's per-epoch cosine schedule ends at this fraction of the learning rate. */
export const COSINE_FINAL_LR_FRACTION = 0.1;

/** Track B: neighbours and softmax temperature of the X-ARES kNN. */
export const KNN_NEIGHBOURS = 10;
export const KNN_TEMPERATURE = 0.07;

export interface ProtocolInfo {
  readonly name: ProtocolName;
  /** Stored in every result's provenance and fingerprint. */
  readonly id: string;
  /** Edition title on the site. */
  readonly title: string;
  /** One sentence for the site and `--help`. */
  readonly summary: string;
  /**
   * How crops reach the encoder. "equal-length": only crops of identical length share a batch,
   * so no padding reaches the encoder. "padded": batches of `batch_size_encode` consecutive crops
   * of a split, zero-padded to the longest, the padding frames kept (X-ARES as shipped).
   */
  readonly batching: 'equal-length' | 'padded';
}

export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolInfo>> = {
  leaderboard: {
    name: 'leaderboard',
    id: 'x-ares-0.1.3+leaderboard.1',
    title: 'Leaderboard',
    summary:
      'X-ARES v0.1.3 with the deviations on the methodology page: no padding reaches the encoder, so a score does not depend on batch size or batch neighbours.',
    batching: 'equal-length',
  },
  'xares-0.1.3': {
    name: 'xares-0.1.3',
    id: 'x-ares-0.1.3',
    title: 'X-ARES compatible',
    summary:
      'X-ARES v0.1.3 as shipped: encoder batches of consecutive crops zero-padded to the longest, the padding frames averaged into the embeddings, long inputs cut as its example encoders cut them. Comparable with the published ICME 2025 numbers.',
    batching: 'padded',
  },
};

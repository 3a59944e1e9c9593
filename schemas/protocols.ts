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

/** What a caller of `evaluate` (the CLI, the bench, the tests) can ask of a run. */
import type { ProtocolName } from '../../schemas/protocols.ts';
import type { EmbeddingPrecision } from '../encode/cache.ts';
import type { EncodeLimits } from '../encode/supervisor.ts';
import type { Logger } from '../log.ts';
import type { SuiteData } from '../suites/index.ts';
import type { DeviceRequest } from '../runtime/ort.ts';
import type { TokenizerOptions } from '../text/tokenizers.ts';

/** `--shard i/n`: this run takes the i-th of n equal shares of the missing work (1-based). */
export interface WorkShard {
  readonly index: number;
  readonly count: number;
}

export interface EvaluateOptions {
  readonly suiteId: string;
  /** Task definitions and lock file other than the registered ones: a rehearsal's copies. */
  readonly suiteData?: SuiteData | undefined;
  /** The suite's results folder; each protocol's results sit in its own part of it. */
  readonly resultsDir: string;
  /** The evaluation protocol (default: this leaderboard's). */
  readonly protocol?: ProtocolName | undefined;
  readonly cacheDir: string;
  readonly submissionsDir: string;
  /** Build a leaderboard without entries when the submissions folder holds none (else an error). */
  readonly allowEmpty?: boolean | undefined;
  /** Only this submission (slug). */
  readonly submission?: string | undefined;
  /** Only this task (id). */
  readonly task?: string | undefined;
  /** Threads per onnxruntime operator; defaults to every core. */
  readonly threads?: number | undefined;
  readonly device?: DeviceRequest | undefined;
  readonly shard?: WorkShard | undefined;
  /** Crops per encoder call instead of each task's X-ARES batch_size_encode. */
  readonly encodeBatchSize?: number | undefined;
  /** Reader threads decoding audio for the encoder (default: see defaultReaders). */
  readonly readers?: number | undefined;
  readonly embeddingPrecision?: EmbeddingPrecision | undefined;
  readonly limits?: EncodeLimits | undefined;
  /** Bootstrap replicates per task (tests use fewer). */
  readonly replicates?: number | undefined;
  /** Replaces the pinned WordPiece source (tests). */
  readonly tokenizerSource?: TokenizerOptions['source'];
  readonly logger: Logger;
}

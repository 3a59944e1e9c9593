/**
 * The protocol as this leaderboard runs it, for the methodology page: every place where it
 * deliberately differs from X-ARES v0.1.3, what X-ARES does, and why.
 */
import { BOOTSTRAP_REPLICATES, SEED } from '../../schemas/protocols.ts';
import { INTERVAL_LEVEL } from './protocol-text.ts';

export interface Deviation {
  readonly title: string;
  readonly xares: string;
  readonly here: string;
  readonly why: string;
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    title: 'No padding reaches the encoder',
    xares:
      'Pads each encoder batch (16 crops by default) to its longest crop, discards the lengths, and averages the padding frames into the stored embedding.',
    here: 'Only crops of identical length share a batch, so an embedding never depends on its batch neighbours or on the batch size.',
    why: 'X-ARES itself had to switch two tasks to batches of one because padding hurt their scores; results identical for every batch size are testable.',
  },
  {
    title: 'Long audio is chunked by the pipeline',
    xares:
      'Leaves chunking to each encoder (its example encoders split at 10 s and concatenate the frames).',
    here: "Audio longer than the manifest's maxInputSeconds (M) is cut into n = ceil(length / M) consecutive chunks of equal length (within one sample), each encoded alone, and their frames concatenated in time. No chunk is shorter than M / 2 and nothing is padded: a 10.01 s clip at M = 10 s gives two chunks of 5.005 s, never 10 s and a 10 ms sliver.",
    why: "One rule for every submission, which never feeds a piece too short for an encoder's analysis window; the submission checker and the evaluation's own pre-check test exactly the pieces it produces (the shortest chunk, M and one sample either side, odd lengths, up to a minute).",
  },
  {
    title: 'Encoders are checked before they are scored',
    xares:
      'Checks one random [2, 50000] input for an output of rank 3 and the declared dimension, then evaluates.',
    here: "The evaluation runs the submission checker's dynamic checks first (once per model and manifest): every piece length the chunking produces, the frame rate fitted over all of them, determinism, batch invariance on speech-like, loud, near-silent and silent clips together, and finite output on silence and on clipped full-scale input. An encoder that fails any of them is not scored; its pairs are listed as failed with the checker's message.",
    why: 'Each of these failures otherwise gives a score that is silently wrong (labels placed with a wrong hop, an embedding that depends on its batch neighbours) or a task that fails half-way (NaN on a silent clip).',
  },
  {
    title: 'Speech recognition uses a linear CTC head',
    xares:
      'LibriSpeech-100h trains a SwiGLU adapter into a frozen Qwen2.5-0.5B language model and decodes greedily with a repetition penalty.',
    here: 'A LayerNorm + Linear head maps every frame to characters (blank, space, a-z, apostrophe), trained with CTC (mean over utterances of the loss divided by the transcript length; utterances with no valid alignment add nothing) and decoded greedily; scored as iWER = max(0, 1 - WER) on lower-cased words, as in X-ARES.',
    why: 'It measures how much of the transcript is linearly readable from the frames, needs no 0.5B-parameter download and runs in onnxruntime on any machine. Scores are not comparable with the X-ARES LibriSpeech numbers.',
  },
  {
    title: 'Frame-level batches are stacked, not padded',
    xares:
      "Pads the clips of every frame-level batch to the longest, in training and in evaluation: the loss counts the padded frames, and the metric scores them. A zero frame's LayerNorm is its bias, so every padding frame gets the same logits, and where they are positive each padded segment counts as a false positive.",
    here: "Stacks the frames of a batch's clips: the loss averages over real frames and only real frames are scored. The X-ARES compatible edition evaluates as X-ARES does (see above); both editions train on stacked batches.",
    why: "A clip's score should not depend on which clips share its evaluation batch. Training is the same where X-ARES uses batches of one (MAESTRO); DESED's real evaluation clips are not all 10 s long, so its evaluation differs.",
  },
  {
    title: 'A MAESTRO piece without notes is all negative',
    xares:
      'Builds a note target as long as the latest note end, which fails on a piece without notes (the maximum of an empty list), stopping the task.',
    here: "Such a clip's target is zero over all its frames, so it counts as a piece where nothing sounds.",
    why: 'A silent piece is a valid negative, and one bad clip should not fail the task for every submission. The real MAESTRO data has no such piece.',
  },
  {
    title: 'Corrupt samples are errors',
    xares:
      "Skips, with a warning, any sample whose audio or JSON entry is missing, cannot be decoded or cannot be parsed (webdataset's warn-and-continue handler).",
    here: 'Skips a sample with no audio or no JSON entry, as X-ARES does; an entry that is there but cannot be decoded or parsed stops the task with an error naming the shard and the sample.',
    why: 'A missing entry is how a dataset leaves a sample out; a damaged one is a broken download or shard, which would otherwise change the test set without a word.',
  },
  {
    title: 'Everything is seeded',
    xares:
      "Seeds the heads' initialisation, but the WebDataset shuffles seed themselves from the process id and the clock, so reruns differ.",
    here: `Initialisation, shuffles and bootstrap resamples all derive from seed ${SEED} and a name for each stream, and no graph uses a kernel whose sums depend on thread timing (a scatter-add of repeated token ids did; it is replaced by a one-hot product), so the same inputs give byte-identical results on the same kind of machine with the same thread count. (Across CPUs or thread counts, onnxruntime rounds matrix products differently in the last bit, which can flip near ties.)`,
    why: 'A result can be reproduced, cached and reviewed.',
  },
  {
    title: 'Explicit shard lists and pinned hashes',
    xares:
      'Selects shards with globs in filesystem order and verifies nothing it downloads (the whole Zenodo record, as a zip).',
    here: 'Every split lists its shard files; each shard is fetched on its own, resumed when interrupted, and checked against a sha256 lock file. The bert-base-uncased vocabulary is pinned the same way.',
    why: 'Globs also matched mini-set shards in some records; unverified data makes results unreproducible.',
  },
  {
    title: 'Uncertainty is reported',
    xares: 'Reports a point score per task and a weighted average.',
    here: `Each score comes with a ${INTERVAL_LEVEL} bootstrap interval (${BOOTSTRAP_REPLICATES} resamples of the test items, per fold); the weighted average gets its interval, and the rank its value and interval, from the same paired resamples. Only entries with every task are ranked.`,
    why: 'Small test sets (GTZAN has 100 clips per fold, MAESTRO 65 pieces) move by several points between runs; ties should look like ties.',
  },
];

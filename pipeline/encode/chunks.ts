/**
 * How audio longer than an encoder's maximum input is cut. The evaluation and the checker share
 * this, so the checker probes exactly the pieces the pipeline feeds.
 *
 * The rule (this leaderboard's protocol): a clip of L samples over the maximum M is cut into
 * n = ceil(L / M) consecutive chunks of equal length, within one sample (the first L mod n chunks
 * one sample longer), each encoded on its own, their frames concatenated. No chunk is ever
 * shorter than M / 2 (a 10.01 s clip at M = 10 s gives two chunks of 5.005 s, not 10 s and 10 ms),
 * and nothing is padded: encoders that need a full analysis window never get a sliver.
 *
 * X-ARES as shipped cuts as its example encoders do (`fixedChunkRanges`): chunks of M, the last
 * one whatever is left, which the caller pads to 1 s.
 */

/** Longest waveform of one encoder call, in samples. */
export function maxInputSamples(contract: {
  readonly sampleRate: number;
  readonly maxInputSeconds: number;
}): number {
  return Math.max(1, Math.floor(contract.maxInputSeconds * contract.sampleRate));
}

/** [start, end) ranges of equal-length chunks (within one sample) covering `length` samples. */
export function chunkRanges(length: number, maxSamples: number): [number, number][] {
  const count = Math.max(1, Math.ceil(length / maxSamples));
  const base = Math.floor(length / count);
  const longer = length % count;
  const ranges: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < longer ? 1 : 0);
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

/** [start, end) ranges of chunks of exactly `maxSamples`, the last one shorter (torch.split). */
export function fixedChunkRanges(length: number, maxSamples: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < length; start += maxSamples) {
    ranges.push([start, Math.min(length, start + maxSamples)]);
  }
  return ranges;
}

/** The shortest chunk the rule can give for clips longer than `maxSamples`: M + 1 samples in two. */
export function shortestChunk(maxSamples: number): number {
  return Math.floor((maxSamples + 1) / 2);
}

/**
 * What every decoder returns: one Float32Array per channel at the file's own rate. Its own file,
 * so that the format decoders (wav-decode.ts, flac-fast.ts) and the dispatch that calls them
 * (decode.ts) all depend on it and not on each other.
 */
export interface DecodedAudio {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

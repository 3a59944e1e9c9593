/**
 * FLAC writing for the generated demo data, through libflacjs (the reference libFLAC compiled to
 * WebAssembly): its output is standard FLAC and the same bytes for the same input.
 */
import { createRequire } from 'node:module';
import type { Encoder as EncoderClass } from 'libflacjs/lib/encoder';
import type libFactory from 'libflacjs';

// libflacjs is a CommonJS package whose Node entry point is a factory function.
const require = createRequire(import.meta.url);
const createFlac = require('libflacjs') as typeof libFactory;
const { Encoder } = require('libflacjs/lib/encoder') as { Encoder: typeof EncoderClass };
const { exportFlacData } = require('libflacjs/lib/utils/flac-utils') as {
  exportFlacData: (chunks: Uint8Array[], metadata: unknown, isOgg: boolean) => Promise<Uint8Array>;
};

let library: Promise<libFactory.Flac> | undefined;

function flacLibrary(): Promise<libFactory.Flac> {
  library ??= new Promise((resolve) => {
    const flac = createFlac();
    if (flac.isReady()) {
      resolve(flac);
    } else {
      flac.onready = () => {
        resolve(flac);
      };
    }
  });
  return library;
}

export type FlacBits = 16 | 24;

// libflacjs's encoders share module-level state: with two alive at once (overlapping calls, as
// Promise.all makes), destroying one crashed inside libflac's event handling. Calls are queued.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Encode channels as FLAC at `bits` per sample, quantised exactly like the WAV writer
 * (round(x * 2^(bits-1)), clipped), so WAV and FLAC of the same signal decode identically.
 * Concurrent calls are safe: they run one after another.
 */
export function encodeFlac(
  channels: readonly Float32Array[],
  sampleRate: number,
  bits: FlacBits = 16,
): Promise<Uint8Array> {
  const run = queue.then(() => encodeOne(channels, sampleRate, bits));
  queue = run.catch(() => undefined);
  return run;
}

async function encodeOne(
  channels: readonly Float32Array[],
  sampleRate: number,
  bits: FlacBits,
): Promise<Uint8Array> {
  const flac = await flacLibrary();
  const frames = channels[0]?.length ?? 0;
  const full = 2 ** (bits - 1);
  const interleaved = new Int32Array(frames * channels.length);
  for (let frame = 0; frame < frames; frame++) {
    for (const [c, channel] of channels.entries()) {
      const value = Math.round(Math.max(-1, Math.min(1, channel[frame] as number)) * full);
      interleaved[frame * channels.length + c] = Math.max(-full, Math.min(full - 1, value));
    }
  }
  const encoder = new Encoder(flac, {
    sampleRate,
    channels: channels.length,
    bitsPerSample: bits,
    compression: 5,
    verify: false,
    isOgg: false,
  });
  try {
    encoder.encode(interleaved);
    encoder.encode();
    // The stream was written before the totals were known; exportFlacData fills them into STREAMINFO.
    return await exportFlacData([encoder.getSamples()], encoder.metadata, false);
  } finally {
    encoder.destroy();
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import decode from 'audio-decode';
import {
  type DecodedAudio,
  decodeAudio,
  flacBitsPerSample,
} from '../../../pipeline/audio/decode.ts';
import { decodeWav } from '../../../pipeline/audio/wav-decode.ts';
import { encodeFlac } from '../../../pipeline/audio/flac.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { DataError } from '../../../pipeline/errors.ts';

// A spy that still decodes, to see which FLAC clips leave the fast path for audio-decode.
vi.mock('audio-decode', async (importOriginal) => {
  const original = await importOriginal<typeof import('audio-decode')>();
  return { ...original, default: vi.fn(original.default) };
});

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'audio');

/** ffmpeg's float32 decode of a fixture (see tools/make-audio-fixtures.sh), interleaved. */
function ffmpegReference(name: string): Float32Array {
  return new Float32Array(Uint8Array.from(readFileSync(join(fixtures, `${name}.f32`))).buffer);
}

function maxDifferenceToReference(
  channels: readonly Float32Array[],
  reference: Float32Array,
  frames: number,
): number {
  let max = 0;
  for (let i = 0; i < frames; i++) {
    for (const [c, channel] of channels.entries()) {
      max = Math.max(
        max,
        Math.abs((channel[i] as number) - (reference[i * channels.length + c] as number)),
      );
    }
  }
  return max;
}

/** Test values away from full scale, where the writer clips +1 to (2^(b-1) - 1) / 2^(b-1). */
const values = Float32Array.of(0, 0.5, -0.5, 0.25, -0.75, 0.999, 1 / 3);

describe('WAV', () => {
  it('writes a canonical 44-byte header', () => {
    const bytes = encodeWav([values], 16000, 'pcm16');
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(36 + values.length * 2);
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(16000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(bytes.length).toBe(44 + values.length * 2);
  });

  it('scales 16-bit integers by 1/32768 like torchaudio.load: -32768 is exactly -1', () => {
    const bytes = encodeWav([Float32Array.of(-1, 32767 / 32768, 0.5, -0.25)], 8000, 'pcm16');
    expect(Array.from(decodeWav(bytes).channels[0] ?? [])).toEqual([-1, 32767 / 32768, 0.5, -0.25]);
  });

  it.each([
    ['pcm16', 2 ** -15],
    ['pcm24', 2 ** -23],
    ['float32', 0],
  ] as const)('round-trips %s within half a quantisation step', (encoding, step) => {
    const decoded = decodeWav(encodeWav([values, values.map((v) => -v)], 22050, encoding));
    expect(decoded.sampleRate).toBe(22050);
    decoded.channels.forEach((channel, c) => {
      channel.forEach((sample, i) => {
        expect(Math.abs(sample - (c === 0 ? 1 : -1) * (values[i] as number))).toBeLessThanOrEqual(
          step / 2 + 1e-9,
        );
      });
    });
  });

  it.each(['stereo-s24.wav', 'stereo-s32.wav', 'stereo-f32.wav', 'stereo-u8.wav'])(
    'decodes %s (WAVE_FORMAT_EXTENSIBLE where ffmpeg writes it) exactly as ffmpeg does',
    (name) => {
      const decoded = decodeWav(readFileSync(join(fixtures, name)));
      const reference = ffmpegReference(name);
      expect(decoded.channels).toHaveLength(2);
      expect(decoded.sampleRate).toBe(44100);
      expect(decoded.channels[0]?.length).toBe(reference.length / 2);
      expect(maxDifferenceToReference(decoded.channels, reference, reference.length / 2)).toBe(0);
    },
  );

  it('clips out-of-range samples at full scale', () => {
    const decoded = decodeWav(encodeWav([Float32Array.of(2, -2, 1)], 16000, 'pcm16'));
    expect(Array.from(decoded.channels[0] ?? [])).toEqual([32767 / 32768, -1, 32767 / 32768]);
  });

  it('reads a data chunk whose size a streaming writer left as 0xFFFFFFFF to the end of the file', () => {
    const bytes = encodeWav([Float32Array.of(0.5, -0.5, 0.25)], 16000, 'pcm16');
    new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
    expect(Array.from(decodeWav(bytes).channels[0] ?? [])).toEqual([0.5, -0.5, 0.25]);
  });

  it('skips unknown chunks, including odd-sized ones with their pad byte', () => {
    const plain = encodeWav([Float32Array.of(0.5, -0.5)], 16000, 'pcm16');
    const extra = Uint8Array.of(...new TextEncoder().encode('LIST'), 3, 0, 0, 0, 1, 2, 3, 0);
    const bytes = new Uint8Array(plain.length + extra.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(extra, 36);
    bytes.set(plain.subarray(36), 36 + extra.length);
    expect(Array.from(decodeWav(bytes).channels[0] ?? [])).toEqual([0.5, -0.5]);
  });

  it('explains unsupported encodings', () => {
    const bytes = encodeWav([Float32Array.of(0)], 16000, 'pcm16');
    new DataView(bytes.buffer).setUint16(20, 6, true); // A-law
    expect(() => decodeWav(bytes)).toThrow('unsupported WAV encoding (format 6, 16 bits)');
  });
});

describe('FLAC (libFLAC encoder, WASM decoder)', () => {
  it.each([16, 24] as const)('decodes %i-bit FLAC to exactly int / 2^(bits-1)', async (bits) => {
    const signal = Float32Array.from(
      { length: 4000 },
      (_, i) => 0.6 * Math.sin(i * 0.021) + (i % 3) * 1e-4,
    );
    signal[7] = -1;
    const bytes = await encodeFlac([signal, signal.map((v) => -0.5 * v)], 22050, bits);
    expect(flacBitsPerSample(bytes)).toBe(bits);
    const decoded = await decodeAudio(bytes, 'test.flac');
    const full = 2 ** (bits - 1);
    expect(decoded.sampleRate).toBe(22050);
    expect(decoded.channels[0]?.[7]).toBe(-1);
    let worst = 0;
    decoded.channels.forEach((channel, c) => {
      channel.forEach((sample, i) => {
        const original = (c === 0 ? 1 : -0.5) * (signal[i] as number);
        const quantised = Math.max(-full, Math.min(full - 1, Math.round(original * full))) / full;
        worst = Math.max(worst, Math.abs(sample - quantised));
      });
    });
    expect(worst).toBe(0);
  });

  it('decodes a FLAC file to the same samples as the WAV of the same signal', async () => {
    const signal = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 9) * 0.7);
    const fromFlac = await decodeAudio(await encodeFlac([signal], 16000, 16), 'a.flac');
    const fromWav = await decodeAudio(encodeWav([signal], 16000, 'pcm16'), 'a.wav');
    expect(fromFlac.channels[0]).toEqual(fromWav.channels[0]);
  });

  /** The decoding before the fast path: audio-decode, then the rescale to int / 2^(bits-1). */
  async function viaAudioDecode(bytes: Uint8Array): Promise<Float32Array[]> {
    const { channelData } = await decode(bytes);
    const full = 2 ** ((flacBitsPerSample(bytes) ?? 0) - 1);
    return channelData.map((channel) => channel.map((sample) => (sample * (full - 1)) / full));
  }

  function bits(channels: readonly Float32Array[]): Uint32Array[] {
    return channels.map((channel) => new Uint32Array(Float32Array.from(channel).buffer));
  }

  const clips = [16, 24].flatMap((depth) =>
    [1, 2].map((count) => ({
      depth: depth as 16 | 24,
      channels: Array.from({ length: count }, (_, c) =>
        Float32Array.from(
          { length: 9000 + 1000 * c + depth },
          (_, i) => 0.7 * Math.sin(i * (0.01 + 0.003 * c)) + ((i * 7919) % 13) * 1e-3,
        ),
      ),
    })),
  );

  it('takes the fast path for plain FLAC, without audio-decode', async () => {
    const bytes = await encodeFlac((clips[1] as (typeof clips)[number]).channels, 44100, 16);
    vi.mocked(decode).mockClear();
    await decodeAudio(bytes, 'fast.flac');
    expect(decode).not.toHaveBeenCalled();
    await decodeAudio(bytes.subarray(0, bytes.length - 100), 'cut.flac');
    expect(decode).toHaveBeenCalledTimes(1);
  });

  it('decodes clip after clip, 16- and 24-bit, mono and stereo, bit for bit as audio-decode does', async () => {
    const encoded = [];
    for (const clip of clips) {
      encoded.push(await encodeFlac(clip.channels, 22050, clip.depth));
    }
    for (let round = 0; round < 3; round++) {
      for (const [index, bytes] of encoded.entries()) {
        const decoded = await decodeAudio(bytes, `clip ${index}`);
        expect(decoded.sampleRate).toBe(22050);
        expect(bits(decoded.channels)).toEqual(bits(await viaAudioDecode(bytes)));
      }
    }
  });

  it('decodes a good clip the same after corrupt, truncated and non-FLAC ones', async () => {
    const good = await encodeFlac((clips[3] as (typeof clips)[number]).channels, 16000, 24);
    const expected = bits((await decodeAudio(good, 'good')).channels);
    const flipped = good.slice();
    flipped[good.length - 3000] = (flipped[good.length - 3000] as number) ^ 0x10;
    const broken = [
      flipped,
      good.subarray(0, good.length - 3000),
      good.subarray(0, 60),
      new TextEncoder().encode('fLaC but not really a FLAC stream at all'),
    ];
    for (const [index, bytes] of broken.entries()) {
      const outcome = await decodeAudio(bytes, `broken ${index}`).catch(
        (error: unknown) => error as Error,
      );
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(DataError);
        expect(outcome.message).toMatch(new RegExp(`^broken ${index}: `));
      } else {
        expect(bits(outcome.channels)).toEqual(bits(await viaAudioDecode(bytes)));
      }
      expect(bits((await decodeAudio(good, 'good')).channels)).toEqual(expected);
    }
  });

  it('decodes overlapping calls like sequential ones', async () => {
    const encoded = await Promise.all(
      clips.map((clip) => encodeFlac(clip.channels, 8000, clip.depth)),
    );
    const together = await Promise.all(encoded.map((bytes, i) => decodeAudio(bytes, `${i}`)));
    for (const [index, bytes] of encoded.entries()) {
      expect(bits((together[index] as DecodedAudio).channels)).toEqual(
        bits((await decodeAudio(bytes, `${index}`)).channels),
      );
    }
  });

  it('writes the same bytes for the same signal', async () => {
    const signal = Float32Array.from({ length: 500 }, (_, i) => Math.cos(i / 3) * 0.2);
    expect(await encodeFlac([signal], 8000)).toEqual(await encodeFlac([signal], 8000));
  });
});

describe('MP3 and Ogg Vorbis', () => {
  it('decodes MP3 like ffmpeg: same length, samples within 1e-5', async () => {
    const decoded = await decodeAudio(readFileSync(join(fixtures, 'tone.mp3')), 'tone.mp3');
    const reference = ffmpegReference('tone.mp3');
    expect(decoded.sampleRate).toBe(16000);
    expect(decoded.channels[0]?.length).toBe(reference.length);
    expect(maxDifferenceToReference(decoded.channels, reference, reference.length)).toBeLessThan(
      1e-5,
    );
  });

  it('decodes Ogg Vorbis like ffmpeg within 1e-5, keeping the full 0.5 s that ffmpeg trims to 7744 samples', async () => {
    const decoded = await decodeAudio(readFileSync(join(fixtures, 'tone.ogg')), 'tone.ogg');
    const reference = ffmpegReference('tone.ogg');
    expect(decoded.channels[0]?.length).toBe(8000);
    expect(reference.length).toBe(7744);
    expect(maxDifferenceToReference(decoded.channels, reference, reference.length)).toBeLessThan(
      1e-5,
    );
  });
});

describe('decodeAudio errors', () => {
  it('names the sample when the bytes are not audio', async () => {
    const attempt = decodeAudio(new TextEncoder().encode('not audio at all'), 'shard.tar: key_1');
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(/^shard\.tar: key_1: cannot decode audio/);
  });

  it('names the sample when a WAV file is broken', async () => {
    const bytes = encodeWav([Float32Array.of(0.1)], 16000, 'pcm16').subarray(0, 30);
    await expect(decodeAudio(bytes, 'shard.tar: key_2')).rejects.toThrow(
      'shard.tar: key_2: cannot decode audio (fmt chunk is too short)',
    );
  });

  it('encodes FLAC correctly when several encodings overlap', async () => {
    const signals = [0.1, 0.2, 0.3].map((amplitude) =>
      Float32Array.from({ length: 4000 }, (_, t) => amplitude * Math.sin(t / 7)),
    );
    const encoded = await Promise.all(signals.map((signal) => encodeFlac([signal], 16000, 16)));
    for (const [index, bytes] of encoded.entries()) {
      const decoded = await decodeAudio(bytes, `overlap ${index}`);
      const expected = signals[index] as Float32Array;
      expect(decoded.channels[0]?.length).toBe(expected.length);
      expect(Math.abs((decoded.channels[0]?.[100] ?? 0) - (expected[100] ?? 0))).toBeLessThan(1e-4);
    }
  });

  it('refuses a clip without samples as a data error naming it', async () => {
    const error = await decodeAudio(
      encodeWav([new Float32Array(0)], 16000, 'pcm16'),
      'shard.tar: empty_1',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe('shard.tar: empty_1: decoded audio has no samples');
  });

  it('refuses float samples that are NaN or infinite, naming the sample and the first one', async () => {
    const bytes = encodeWav(
      [Float32Array.of(0.1, 0.2, NaN, 0.3), Float32Array.of(0, Infinity, 0, -Infinity)],
      16000,
      'float32',
    );
    const error = await decodeAudio(bytes, 'shard.tar: key_9').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe(
      'shard.tar: key_9: decoded audio has 3 non-finite samples (NaN or infinity), the first at sample 1',
    );
  });
});

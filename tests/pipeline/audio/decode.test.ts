import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../pipeline/audio/decode.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { DataError } from '../../../pipeline/errors.ts';

const values = Float32Array.of(0, 0.5, -0.5, 0.25, -1, 0.999, 1 / 3);

describe('WAV encode and decode', () => {
  it('writes a canonical 44-byte header', () => {
    const bytes = encodeWav([values], 16000, 'pcm16');
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(36 + values.length * 2);
    expect(view.getUint16(20, true)).toBe(1); // PCM
    expect(view.getUint32(24, true)).toBe(16000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(bytes.length).toBe(44 + values.length * 2);
  });

  it.each([
    ['pcm16', 2 ** -15],
    ['pcm24', 2 ** -23],
    ['float32', 0],
  ] as const)('round-trips %s within two quantisation steps', async (encoding, step) => {
    const decoded = await decodeAudio(
      encodeWav([values, values.map((v) => -v)], 22050, encoding),
      'test',
    );
    expect(decoded.sampleRate).toBe(22050);
    expect(decoded.channels).toHaveLength(2);
    decoded.channels.forEach((channel, c) => {
      channel.forEach((sample, i) => {
        const expected = (c === 0 ? 1 : -1) * (values[i] as number);
        // Integer PCM: half a step of rounding, the decoder's 1/(2^(b-1) - 1) scale for positive
        // values, and float32 output rounding stay within two steps.
        expect(Math.abs(sample - expected)).toBeLessThanOrEqual(2 * step);
      });
    });
  });

  it('clips out-of-range samples at full scale', async () => {
    const decoded = await decodeAudio(encodeWav([Float32Array.of(2, -2)], 16000, 'pcm16'), 'test');
    expect(decoded.channels[0]?.[0]).toBeCloseTo(1, 4);
    expect(decoded.channels[0]?.[1]).toBe(-1);
  });

  it('names the sample when the bytes are not audio', async () => {
    await expect(
      decodeAudio(new TextEncoder().encode('not audio at all'), 'shard.tar: key_1'),
    ).rejects.toThrow(DataError);
    await expect(
      decodeAudio(new TextEncoder().encode('not audio at all'), 'shard.tar: key_1'),
    ).rejects.toThrow(/^shard\.tar: key_1: cannot decode audio/);
  });
});

/**
 * The table of dynamic checks and its runner, in process, on an encoder written in JavaScript:
 * fast enough to run with every change, where the *-catch tests run real models in a child
 * process.
 */
import { describe, expect, it } from 'vitest';
import { CheckId } from '../../../schemas/check-report.ts';
import { DYNAMIC_CHECKS } from '../../../pipeline/check/dynamic/checks.ts';
import { checkedLengths, frameRateOutcome } from '../../../pipeline/check/dynamic/frame-rate.ts';
import { runDynamicChecks } from '../../../pipeline/check/dynamic/run-checks.ts';
import type { OrtSession } from '../../../pipeline/runtime/ort.ts';

const HOP = 160;
const DIM = 4;

/** One frame per 160 samples (10 ms at 16 kHz): the frame's mean, energy, peak and a constant. */
function frameEncoder(options: { rank?: number; failBelow?: number } = {}): OrtSession {
  const session = {
    inputNames: ['waveform'],
    outputNames: ['embeddings'],
    run: (feeds: Record<string, { data: Float32Array; dims: readonly number[] }>) => {
      const { data, dims } = feeds['waveform'] as { data: Float32Array; dims: number[] };
      const [batch = 0, width = 0] = dims;
      if (width < (options.failBelow ?? 0)) {
        return Promise.reject(new Error(`input of ${width} samples is too short`));
      }
      const frames = Math.max(1, Math.floor(width / HOP));
      const out = new Float32Array(batch * frames * DIM);
      for (let b = 0; b < batch; b++) {
        for (let f = 0; f < frames; f++) {
          const frame = data.subarray(
            b * width + f * HOP,
            b * width + Math.min(width, (f + 1) * HOP),
          );
          const at = (b * frames + f) * DIM;
          out[at] = frame.reduce((sum, x) => sum + x, 0) / Math.max(1, frame.length);
          out[at + 1] = frame.reduce((sum, x) => sum + x * x, 0);
          out[at + 2] = frame.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
          out[at + 3] = 1;
        }
      }
      const outputDims = options.rank === 2 ? [batch, frames * DIM] : [batch, frames, DIM];
      return Promise.resolve({ embeddings: { data: out, dims: outputDims } });
    },
  };
  return session as unknown as OrtSession;
}

const contract = { sampleRate: 16000, embeddingDim: DIM, hopMs: 10, maxInputSeconds: 2 };
const limits = { memoryBytes: 2 ** 30 };

describe('the table of dynamic checks', () => {
  it('lists each dynamic check once, in report order, each saying what it verifies', () => {
    const ids = DYNAMIC_CHECKS.map((check) => check.id);
    const reportOrder = CheckId.options.filter((id) => ids.includes(id));
    expect(ids).toEqual(reportOrder);
    expect(ids).toEqual(
      CheckId.options.slice(
        CheckId.options.indexOf('xares-probe'),
        CheckId.options.indexOf('finite-values') + 1,
      ),
    );
    for (const check of DYNAMIC_CHECKS) {
      expect(check.verifies.length, check.id).toBeGreaterThan(20);
    }
    expect(Object.isFrozen(DYNAMIC_CHECKS)).toBe(true);
  });
});

describe('runDynamicChecks', () => {
  it('passes an encoder that does everything right, and times it', async () => {
    const results = await runDynamicChecks(frameEncoder(), contract, limits);
    expect(results.items.filter((item) => item.status !== 'pass')).toEqual([]);
    expect(results.items.map((item) => item.id)).toEqual(DYNAMIC_CHECKS.map((check) => check.id));
    expect(results.items[0]).toEqual({
      id: 'xares-probe',
      status: 'pass',
      message: '[2, 50000] -> [2, 312, 4]',
    });
    expect(results.measurements?.realTimeFactor).toBeGreaterThan(0);
  });

  it('stops after the X-ARES input when its output has the wrong rank', async () => {
    const results = await runDynamicChecks(frameEncoder({ rank: 2 }), contract, limits);
    expect(results).toEqual({
      items: [
        {
          id: 'xares-probe',
          status: 'fail',
          message:
            'output for [2, 50000] is [2, 1248], of rank 2; it must be [batch, frames, D] (rank 3)',
          hint: 'return frame embeddings, not a pooled vector or a 4-D feature map',
        },
      ],
    });
  });

  it('reports a short clip apart from the chunking, and tells each call its input shape', async () => {
    const shapes: string[] = [];
    const results = await runDynamicChecks(frameEncoder({ failBelow: 2000 }), contract, {
      ...limits,
      onCall: (dims) => shapes.push(dims.join('x')),
    });
    const failed = results.items.filter((item) => item.status === 'fail');
    expect(failed.map((item) => item.id)).toEqual(['short-input']);
    expect(failed[0]?.message).toBe(
      'the encoder fails on 0.1 s of audio (1600 samples): input of 1600 samples is too short',
    );
    expect(shapes.slice(0, 2)).toEqual(['2x50000', '1x1600']);
  });
});

describe('frameRateOutcome', () => {
  // Blocks of 400 samples (25 ms at 16 kHz) with a 6-frame receptive field lost at the edges, over
  // the lengths the checker feeds with maxInputSeconds 60: the fitted hop is 25.01 ms.
  const calls = checkedLengths({ ...contract, maxInputSeconds: 60 }).map(({ samples }) => ({
    samples,
    frames: Math.max(1, Math.floor(samples / 400) - 6),
  }));

  it('suggests the hop as a whole number of samples, not the fit, which edge frames tilt', () => {
    const outcome = frameRateOutcome(calls, { ...contract, hopMs: 10, maxInputSeconds: 60 });
    expect(outcome.message).toMatch(/one frame every 25\.01 ms/);
    expect(outcome.hint).toBe('set hopMs to 25: frame-level tasks place their labels with it');
  });

  it('suggests it when the manifest declares none', () => {
    const { hopMs: _declared, ...undeclared } = contract;
    expect(frameRateOutcome(calls, { ...undeclared, maxInputSeconds: 60 }).message).toMatch(
      /; set hopMs to 25$/,
    );
  });
});

/**
 * For each dynamic check added in engine 5, an encoder the engine-4 checker passed and the
 * current one rejects with that check's own message, beside its good counterpart, which passes
 * every check.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckReport } from '../../../schemas/check-report.ts';
import type { SubmissionManifestInput } from '../../../schemas/manifest.ts';
import { checkSubmission } from '../../../pipeline/check/check-submission.ts';
import { describeRunFailure, MEMORY_HINT } from '../../../pipeline/check/dynamic/encoder-calls.ts';
import * as broken from '../../support/broken-encoders.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dynamic-checks-'));
});

async function check(
  slug: string,
  model: Uint8Array,
  overrides: Partial<SubmissionManifestInput> = {},
): Promise<CheckReport> {
  const dir = await broken.writeSubmission(root, slug, model, overrides);
  return CheckReport.parse(
    await checkSubmission(dir, { cacheDir: join(root, '.cache'), threads: 1 }),
  );
}

function failing(report: CheckReport) {
  return report.checks.filter((entry) => entry.status === 'fail');
}

async function expectPasses(slug: string, model: Uint8Array, overrides = {}) {
  const report = await check(slug, model, overrides);
  expect(failing(report).map((entry) => `${entry.id}: ${entry.message}`)).toEqual([]);
  expect(report.passed).toBe(true);
  return report;
}

// Each check runs a model in a child process (a few seconds each, more on a busy machine).
describe('dynamic checks that catch what real encoders get wrong', { timeout: 240_000 }, () => {
  it('silence: log without an epsilon fails; with one it passes', async () => {
    const [failure, ...others] = failing(await check('no-epsilon', broken.logWithoutEpsilon()));
    expect(others).toEqual([]);
    expect(failure?.id).toBe('silence');
    expect(failure?.message).toBe('digital silence gives 6464 NaN or infinite values (1 s alone)');
    expect(failure?.hint).toMatch(/log\(x \+ 1e-10\)/);
    await expectPasses('epsilon', broken.validLogMel());
  });

  it('batch-invariance: a dB floor over the whole batch fails; per clip it passes', async () => {
    const [failure, ...others] = failing(await check('batch-floor', broken.batchWideFloor()));
    expect(others).toEqual([]);
    expect(failure?.id).toBe('batch-invariance');
    expect(failure?.message).toMatch(
      /^the (near-silent noise|digital silence) clip encoded alone differs from the same clip batched with louder and quieter ones by up to \d+\.\de\+?\d+ \(allowed /,
    );
    expect(failure?.hint).toMatch(/AmplitudeToDB\(top_db=\.\.\.\)/);
    await expectPasses('clip-floor', broken.perClipFloor());
  });

  it('full-scale: a float16 frame energy overflows on clipped input; in float32 it passes', async () => {
    const [failure, ...others] = failing(await check('float16', broken.float16FrameEnergy()));
    expect(others).toEqual([]);
    expect(failure?.id).toBe('full-scale');
    expect(failure?.message).toMatch(
      /^full-scale, clipped input \(every sample -1 or 1\) gives \d+ NaN or infinite values$/,
    );
    expect(failure?.hint).toMatch(/float16/);
    await expectPasses('float32', broken.float32FrameEnergy());
  });

  it('chunking: an encoder that needs multiples of 400 samples fails; padded it passes', async () => {
    const [failure, ...others] = failing(
      await check('blocks', broken.blocksWithoutPadding(), { hopMs: 25 }),
    );
    expect(others).toEqual([]);
    expect(failure?.id).toBe('chunking');
    expect(failure?.message).toMatch(
      /^the encoder fails on a piece of 16001 samples \(1\.000 s\), which the pipeline feeds for a clip of 16001 samples \(1 s and one sample \(an odd length\)\): /,
    );
    expect(failure?.hint).toMatch(/pad inside the model/);
    await expectPasses('blocks-padded', broken.blocksWithPadding(), { hopMs: 25 });
  });

  it('frame-rate: a fixed 30 s output fails with advice that works; trimmed it passes', async () => {
    const [failure, ...others] = failing(
      await check('thirty', broken.fixedThirtySeconds(), { maxInputSeconds: 30 }),
    );
    expect(others).toEqual([]);
    expect(failure?.id).toBe('frame-rate');
    expect(failure?.message).toBe(
      "the encoder returns 3001 frames whatever the length (from 1600 to 480000 samples): it pads or crops to a fixed length (a fixed position table, as whisper's 30 s)",
    );
    await expectPasses('thirty-trimmed', broken.fixedThirtySecondsTrimmed(), {
      maxInputSeconds: 30,
    });
  });

  it('frame-rate: frames lost at the edges are reported apart from a hop that is right', async () => {
    const report = await expectPasses('edges', broken.losesEdgeFrames());
    const frameRate = report.checks.find((entry) => entry.id === 'frame-rate');
    expect(frameRate?.message).toMatch(
      /^one frame every 10\.00 ms as declared \(fitted over \d+ input lengths from 0\.1 s to 60 s: frames = samples \/ 160\.0 - [67]\.\d, largest residual \d\.\d frames\); each call loses about [67]\.\d frames at its edges/,
    );
  });

  it('frame-rate: a wrong hopMs fails, and the hopMs it suggests then passes', async () => {
    const [failure, ...others] = failing(
      await check('blocks-hop', broken.blocksWithPadding(), { hopMs: 10 }),
    );
    expect(others).toEqual([]);
    expect(failure?.message).toMatch(
      /^the manifest declares hopMs 10, but the encoder emits one frame every 25\.00 ms \(fitted over \d+ input lengths/,
    );
    expect(failure?.hint).toBe('set hopMs to 25: frame-level tasks place their labels with it');
    await expectPasses('blocks-hop-fixed', broken.blocksWithPadding(), {
      hopMs: 25,
    });
  });

  it('chunking: an encoder that needs a full 25 ms window passes, since no piece is shorter than half the maximum', async () => {
    const report = await expectPasses('full-window', broken.needsFullWindow(), {
      maxInputSeconds: 10,
    });
    expect(report.checks.find((entry) => entry.id === 'chunking')?.message).toBe(
      'every piece the pipeline feeds is accepted: 7 clip lengths, pieces from 5.00 s to 10 s, odd lengths included',
    );
  });

  it('memory: a runaway allocation is reported in plain words, with the input, the size and the limit', async () => {
    const dir = await broken.writeSubmission(root, 'quadratic', broken.quadraticMemory());
    const report = CheckReport.parse(
      await checkSubmission(dir, {
        cacheDir: join(root, '.cache'),
        threads: 1,
        memoryBytes: 2 * 2 ** 30,
      }),
    );
    const [failure, ...others] = failing(report);
    expect(others).toEqual([]);
    // Where the operating system grants the 20 GB of its first product lazily, the process grows
    // past the limit and is stopped; where it refuses it, onnxruntime's allocation fails.
    expect(`${failure?.id}: ${failure?.message}`).toMatch(
      /^(session: out of memory: for an input of \[2, 50000\], the encoder used \d+ MiB, more than the checker's limit of 2048 MiB, and was stopped|xares-probe: the encoder fails on the X-ARES probe input \[2, 50000\]: out of memory: for an input of \[2, 50000\], the encoder asked for one buffer of [\d.]+ GiB( \(in a \w+ node\))?; the checker allows 2\.0 GiB and this machine has [\d.]+ GiB, so the call cannot run)$/,
    );
    expect(failure?.hint).toBe(MEMORY_HINT);
  });
});

describe('describeRunFailure', () => {
  it("turns onnxruntime's allocation failure into the size asked for and the limit", () => {
    const ort =
      "Non-zero status code returned while running Mul node. Name:'Mul_3' Status Message: /onnxruntime/core/framework/bfc_arena.cc:359 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 1280000000000";
    expect(
      describeRunFailure(new Error(ort), { dims: [2, 50000], memoryLimitBytes: 8 * 2 ** 30 }),
    ).toMatch(
      /^out of memory: for an input of \[2, 50000\], the encoder asked for one buffer of 1192\.1 GiB \(in a Mul node\); the checker allows 8\.0 GiB and this machine has [\d.]+ GiB, so the call cannot run$/,
    );
  });

  it('leaves every other failure as it was', () => {
    expect(
      describeRunFailure(new Error('Invalid rank'), { dims: [1, 5], memoryLimitBytes: 1 }),
    ).toBe('Invalid rank');
  });
});

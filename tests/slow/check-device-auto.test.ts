/**
 * `check --device auto` says in one line which provider it took and why not CUDA: where the
 * WebGPU provider starts (lavapipe on a machine without a GPU) the whole checker runs on it, about
 * 30 s of software rendering, so it is the slow project's, beside the GPU agreement run.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../pipeline/cli/index.ts';
import { BUDGETS } from '../support/budgets.ts';
import { captureStderr, captureStdout } from '../support/capture-output.ts';
import { cudaProviderInstalled } from '../support/cuda.ts';

describe('pipeline CLI on the auto device', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const cudaInstalled = cudaProviderInstalled();
  it.skipIf(cudaInstalled)(
    'check --device auto says in one line which provider it took and why not CUDA',
    async () => {
      const stderr = captureStderr();
      const stdout = captureStdout();
      expect(await main(['check', 'submissions/logmel-baseline', '--device', 'auto'])).toBe(0);
      expect(stderr.join('')).toMatch(
        /execution provider: (webgpu|cpu) \(CUDA: onnxruntime-node's CUDA provider is not installed[^\n]*\)\n/,
      );
      expect(stdout.join('')).toMatch(/onnxruntime loads the model \((webgpu|CPU, \d+ threads)\)/);
    },
    BUDGETS.soak,
  );
});

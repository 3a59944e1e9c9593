/** Whether onnxruntime-node's optional CUDA provider is installed (.ci/run skips its download). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './build-site.ts';

export function cudaProviderInstalled(): boolean {
  return existsSync(
    join(
      REPOSITORY_ROOT,
      'node_modules',
      'onnxruntime-node',
      'bin',
      'napi-v6',
      'linux',
      'x64',
      'libonnxruntime_providers_cuda.so',
    ),
  );
}

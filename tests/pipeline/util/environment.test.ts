import { describe, expect, it } from 'vitest';
import { gpuDescription, type GpuProbe } from '../../../pipeline/util/environment.ts';

function probe(facts: Partial<GpuProbe>): GpuProbe {
  return {
    nvidiaSmi: () => undefined,
    hasGpuDevice: () => false,
    vulkanDrivers: () => [],
    ...facts,
  };
}

describe('gpuDescription', () => {
  it('names NVIDIA GPUs and their driver from nvidia-smi', () => {
    expect(
      gpuDescription(
        probe({ nvidiaSmi: () => 'NVIDIA H200, 570.124.06\n', hasGpuDevice: () => true }),
      ),
    ).toEqual({ name: 'NVIDIA H200', driver: 'NVIDIA 570.124.06' });
    expect(
      gpuDescription(
        probe({ nvidiaSmi: () => 'NVIDIA A10G, 550.54.15\nNVIDIA A10G, 550.54.15\n' }),
      ),
    ).toEqual({ name: 'NVIDIA A10G (x2)', driver: 'NVIDIA 550.54.15' });
  });

  it('says software lavapipe where no GPU device exists and lavapipe is installed', () => {
    const description = gpuDescription(
      probe({ vulkanDrivers: () => ['intel_icd.x86_64.json', 'lvp_icd.json', 'radeon_icd.json'] }),
    );
    expect(description?.name).toMatch(/^llvmpipe \(no GPU: Mesa lavapipe/);
  });

  it('does not guess the adapter when several drivers could serve a GPU device', () => {
    expect(
      gpuDescription(
        probe({
          hasGpuDevice: () => true,
          vulkanDrivers: () => ['lvp_icd.json', 'radeon_icd.json'],
        }),
      ),
    ).toEqual({
      name: 'unknown (onnxruntime does not report the WebGPU adapter)',
      driver: 'Vulkan: lvp_icd.json, radeon_icd.json',
    });
    expect(gpuDescription(probe({}))).toBeUndefined();
  });
});

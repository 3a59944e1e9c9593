/** Facts about the machine and checkout that go into provenance and measurements. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

let commit: string | undefined;

/** `git rev-parse HEAD`, with "+dirty" when tracked files differ from it; "unknown" outside git. */
export function pipelineCommit(): string {
  if (commit !== undefined) {
    return commit;
  }
  try {
    const cwd = import.meta.dirname;
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    commit = dirty ? `${head}+dirty` : head;
  } catch {
    commit = 'unknown';
  }
  return commit;
}

export function hostDescription(): { cpu: string; cores: number; platform: string } {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The GPU a session ran on, as far as the machine tells. */
export interface GpuDescription {
  readonly name: string;
  readonly driver: string;
}

/** Where the facts come from, so that tests can stand in for the machine. */
export interface GpuProbe {
  /** `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader` output, if it ran. */
  nvidiaSmi(): string | undefined;
  /** Whether a kernel GPU device node exists (/dev/dri/renderD*, /dev/nvidia0). */
  hasGpuDevice(): boolean;
  /** File names of the installed Vulkan driver manifests (icd.d). */
  vulkanDrivers(): readonly string[];
}

const VULKAN_ICD_DIRS = [
  '/usr/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
];

export const MACHINE_GPU_PROBE: GpuProbe = {
  nvidiaSmi() {
    try {
      return execFileSync(
        'nvidia-smi',
        ['--query-gpu=name,driver_version', '--format=csv,noheader'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 },
      );
    } catch {
      return undefined;
    }
  },
  hasGpuDevice() {
    try {
      return (
        existsSync('/dev/nvidia0') ||
        readdirSync('/dev/dri').some((name) => name.startsWith('renderD'))
      );
    } catch {
      return false;
    }
  },
  vulkanDrivers() {
    return VULKAN_ICD_DIRS.flatMap((dir) => {
      try {
        return readdirSync(dir).filter((name) => name.endsWith('.json'));
      } catch {
        return [];
      }
    });
  },
};

/**
 * The GPU behind the cuda or webgpu provider. onnxruntime-node does not report the WebGPU
 * adapter it picked, so this asks the machine: nvidia-smi names NVIDIA GPUs and their driver;
 * on a machine with no GPU device node the only Vulkan driver that can work is Mesa's software
 * lavapipe; anything else is reported as not known rather than guessed.
 */
export function gpuDescription(probe: GpuProbe = MACHINE_GPU_PROBE): GpuDescription | undefined {
  const lines = (probe.nvidiaSmi() ?? '')
    .trim()
    .split('\n')
    .map((line) => line.split(',').map((part) => part.trim()))
    .filter(([name]) => name !== undefined && name !== '');
  const [first] = lines;
  if (first) {
    const count = lines.length > 1 ? ` (x${lines.length})` : '';
    return { name: `${first[0] ?? ''}${count}`, driver: `NVIDIA ${first[1] ?? 'unknown'}` };
  }
  const drivers = probe.vulkanDrivers();
  if (!probe.hasGpuDevice() && drivers.some((name) => name.startsWith('lvp_icd'))) {
    return {
      name: 'llvmpipe (no GPU: Mesa lavapipe, software Vulkan on the CPU)',
      driver: 'Mesa lavapipe',
    };
  }
  if (drivers.length === 0) {
    return undefined;
  }
  return {
    name: 'unknown (onnxruntime does not report the WebGPU adapter)',
    driver: `Vulkan: ${drivers.join(', ')}`,
  };
}

/** URL of the GitHub Actions run, when running in one. */
export function ciRunUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : undefined;
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

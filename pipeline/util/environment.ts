/** Facts about the machine and checkout that go into provenance and measurements. */
import { execFileSync } from 'node:child_process';
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

/** Name of the first NVIDIA GPU, from nvidia-smi; undefined where there is none. */
export function gpuDescription(): string | undefined {
  try {
    const names = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
      .trim()
      .split('\n')
      .filter((name) => name !== '');
    return names.length === 0
      ? undefined
      : `${names[0] as string}${names.length > 1 ? ` (x${names.length})` : ''}`;
  } catch {
    return undefined;
  }
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

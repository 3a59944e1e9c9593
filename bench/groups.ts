/**
 * Every bench group, by id, in the order `npm run bench` runs them: adding a group is adding
 * its row here. A row says what the group measures against which baseline, and whether it only
 * runs when named (`--only`), because it needs a GPU or tens of gigabytes of disk.
 */
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { deviceRows } from './device.ts';
import { encoderStageRows } from './encoder-stage.ts';
import { framesAtScaleRows } from './frames-at-scale.ts';
import { knnAtScaleRows, probeAtScaleRows } from './heads-at-scale.ts';
import type { Row } from './measure.ts';
import { rehearsalBenchRows } from './rehearsal.ts';
import {
  batchBench,
  buildRows,
  cacheBench,
  decodeBench,
  knnBench,
  tarReadBench,
} from './pipeline-stages.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** What the command line passes to every group; each group reads the options it needs. */
export interface BenchOptions {
  readonly repetitions: number;
  readonly probeEpochs: number;
  readonly device: 'cpu' | 'webgpu' | 'cuda';
  /** frames-scale: frames of the out-of-core task, its epochs, its folder, and whether to keep it. */
  readonly frames: number;
  readonly scaleEpochs: number;
  readonly scaleDir: string | undefined;
  readonly keep: boolean;
  /** rehearsal: the scales and the example submissions rehearsed. */
  readonly rehearsalScales: readonly number[];
  readonly rehearsalSubmissions: readonly string[];
}

export interface BenchGroup {
  readonly id: string;
  readonly summary: string;
  /** Run only when `--only` names it (or, for device, when `--device` asks for a GPU). */
  readonly optIn: boolean;
  run(options: BenchOptions): Promise<Row[]>;
}

export const BENCH_GROUPS: readonly BenchGroup[] = Object.freeze([
  {
    id: 'knn',
    summary: 'kNN similarity + top-k in one onnxruntime graph vs JavaScript loops',
    optIn: false,
    run: async () => [await knnBench()],
  },
  {
    id: 'knn-scale',
    summary: 'kNN at full task size against JavaScript loops, scikit-learn and PyTorch',
    optIn: false,
    run: ({ repetitions, probeEpochs }) => knnAtScaleRows({ repetitions, probeEpochs }),
  },
  {
    id: 'probe-scale',
    summary: 'the linear probe at full task size against scikit-learn and PyTorch',
    optIn: false,
    run: ({ repetitions, probeEpochs }) => probeAtScaleRows({ repetitions, probeEpochs }),
  },
  {
    id: 'encoder-stage',
    summary: 'the encoder stage of each example encoder vs bare session.run on the same batches',
    optIn: false,
    run: ({ repetitions }) =>
      encoderStageRows(
        ROOT,
        ['logmel-baseline', 'random-conv', 'random-transformer'],
        'demo_sound_events',
        10,
        repetitions,
      ),
  },
  {
    id: 'batch',
    summary: 'the encoder on batches of 16 equal-length crops vs one crop per call',
    optIn: false,
    run: async () => [await batchBench()],
  },
  {
    id: 'cache',
    summary: 'a task whose embeddings are cached vs the same task encoded from scratch',
    optIn: false,
    run: async () => [await cacheBench()],
  },
  {
    id: 'tar',
    summary: "reading a WebDataset shard with tar-stream vs reading the same file's bytes",
    optIn: false,
    run: async () => [await tarReadBench()],
  },
  {
    id: 'decode',
    summary: '44.1 kHz stereo WAV and FLAC to 16 kHz mono, against real time on one core',
    optIn: false,
    run: async () => [await decodeBench('wav'), await decodeBench('flac')],
  },
  {
    id: 'build',
    summary: 'the whole demo build, cold and warm, with peak resident memory',
    optIn: false,
    run: ({ repetitions }) => buildRows(repetitions),
  },
  {
    id: 'site',
    summary: "the site at 30 and 500 synthetic submissions: build, home page size, Chromium's sort",
    optIn: false,
    // Imported here: it needs Chromium's driver, which the GPU machine's carried packages lack.
    run: async ({ repetitions }) => (await import('./site.ts')).siteRows(repetitions),
  },
  {
    id: 'frames-scale',
    summary: 'a frame-level task of 9 million frames trained out of core (writes 28 GB)',
    optIn: true,
    run: ({ scaleDir, frames, scaleEpochs, keep }) =>
      framesAtScaleRows({
        dir: scaleDir ?? join(tmpdir(), 'bench-frames-at-scale'),
        frames,
        epochs: scaleEpochs,
        keep,
      }),
  },
  {
    id: 'rehearsal',
    summary:
      'the 22 public X-ARES tasks rehearsed at three scales, each stage extrapolated to a full rebuild, and the matrix plan of ten submissions',
    optIn: true,
    run: ({ rehearsalScales, rehearsalSubmissions, scaleDir, repetitions }) =>
      rehearsalBenchRows({
        scales: rehearsalScales,
        repetitions,
        submissions: rehearsalSubmissions,
        out: scaleDir ?? join(tmpdir(), 'bench-rehearsal'),
      }),
  },
  {
    id: 'device',
    summary: 'example encoders, an 85.5M transformer, kNN and probe steps: CPU vs GPU provider',
    optIn: true,
    run: ({ device, repetitions }) => {
      if (device !== 'webgpu' && device !== 'cuda') {
        throw new Error('bench: the device group needs --device webgpu or --device cuda');
      }
      return deviceRows({ root: ROOT, provider: device, repetitions });
    },
  },
]);

/**
 * The groups to run: those `only` names (comma-separated), else every group that is not
 * opt-in, or the device group alone when a GPU device is asked for.
 */
export function selectBenchGroups(
  only: string | undefined,
  device: BenchOptions['device'],
): BenchGroup[] {
  if (only === undefined) {
    return BENCH_GROUPS.filter((group) =>
      device === 'cpu' ? !group.optIn : group.id === 'device',
    );
  }
  const named = new Set(only.split(',').map((id) => id.trim()));
  for (const id of named) {
    if (!BENCH_GROUPS.some((group) => group.id === id)) {
      throw new Error(
        `bench: unknown group "${id}"; the groups are ${BENCH_GROUPS.map((group) => group.id).join(', ')}`,
      );
    }
  }
  return BENCH_GROUPS.filter((group) => named.has(group.id));
}

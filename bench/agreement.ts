/**
 * `node bench/agreement.ts <cpu results> <gpu results>`: compare two results folders of the same
 * inputs evaluated on two providers, as the GPU agreement test does (Track B identical, Track A
 * within 1e-4, fold by fold), and print the comparison as JSON. The prepared device run
 * (bench/gpu-run.sh) keeps it with its figures; the exit status is 1 when they disagree.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readStoredResult } from '../pipeline/scoring/stored-result.ts';
import { runsDir } from '../schemas/results-layout.ts';
import { isResultFileName } from '../schemas/results-layout.ts';

const TRACK_A_TOLERANCE = 1e-4;

const [cpuDir, gpuDir] = process.argv.slice(2);
if (cpuDir === undefined || gpuDir === undefined) {
  process.stderr.write(
    'usage: node bench/agreement.ts <cpu results folder> <gpu results folder>\n',
  );
  process.exit(2);
}

const pairs = [];
for (const slug of (await readdir(runsDir(cpuDir))).sort()) {
  for (const name of (await readdir(join(runsDir(cpuDir), slug))).filter(isResultFileName).sort()) {
    const [cpu, gpu] = await Promise.all(
      [cpuDir, gpuDir].map((dir) => readStoredResult(join(runsDir(dir), slug, name))),
    );
    if (cpu?.status !== 'ok' || gpu?.status !== 'ok') {
      pairs.push({ submission: slug, task: name.replace(/\.json$/, ''), missing: true });
      continue;
    }
    const a = cpu.result.trackA;
    const b = gpu.result.trackA;
    const foldDiff = Math.max(
      0,
      ...a.folds.map((fold, i) => Math.abs((b.folds[i]?.score ?? Number.NaN) - fold.score)),
    );
    pairs.push({
      submission: slug,
      task: cpu.result.task,
      missing: false,
      providers: [cpu.result.provenance.executionProvider, gpu.result.provenance.executionProvider],
      gpu: gpu.result.provenance.gpu ?? null,
      trackA: { cpu: a.score, gpu: b.score, difference: Math.abs(a.score - b.score), foldDiff },
      trackBIdentical:
        JSON.stringify(cpu.result.trackB?.folds ?? null) ===
          JSON.stringify(gpu.result.trackB?.folds ?? null) &&
        cpu.result.trackB?.score === gpu.result.trackB?.score,
    });
  }
}
const compared = pairs.filter((pair) => !pair.missing);
const maxTrackADifference = Math.max(
  0,
  ...compared.map((pair) => Math.max(pair.trackA?.difference ?? 0, pair.trackA?.foldDiff ?? 0)),
);
const summary = {
  pairs: pairs.length,
  missing: pairs.length - compared.length,
  trackBIdentical: compared.every((pair) => pair.trackBIdentical),
  maxTrackADifference,
  trackAWithinTolerance: maxTrackADifference < TRACK_A_TOLERANCE,
};
const agree =
  summary.missing === 0 &&
  summary.trackBIdentical &&
  summary.trackAWithinTolerance &&
  pairs.length > 0;
process.stdout.write(JSON.stringify({ agree, summary, pairs }, null, 2) + '\n');
process.exitCode = agree ? 0 : 1;

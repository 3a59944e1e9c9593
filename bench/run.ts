/**
 * `npm run bench [-- --only <groups>] [--probe-epochs <n>] [--repetitions <n>]`: speed of every
 * stage, each reported as a ratio against a baseline measured in the same run on the same
 * machine (never as absolute targets in tests). docs/performance.md has the figures. The groups
 * are the rows of BENCH_GROUPS in bench/groups.ts (`--only` takes their ids). Two run only when
 * named: frames-scale (writes 28 GB to the temporary folder; `--frames`, `--scale-epochs`,
 * `--scale-dir`, `--keep`), rehearsal (`--rehearsal-scales`, `--rehearsal-submissions`; its
 * folder is `--scale-dir`) and device, which `--device webgpu|cuda` alone selects.
 * Each figure is the median of several repetitions unless its row says otherwise; `--json <file>`
 * also writes the rows as JSON.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { selectBenchGroups, type BenchOptions } from './groups.ts';
import type { Row } from './measure.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'probe-epochs': { type: 'string', default: '10' },
    repetitions: { type: 'string', default: '3' },
    frames: { type: 'string', default: '9000000' },
    'scale-epochs': { type: 'string', default: '1' },
    'scale-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    device: { type: 'string' },
    /** rehearsal: comma-separated scales and example submissions. */
    'rehearsal-scales': { type: 'string', default: '0.002,0.005,0.01' },
    'rehearsal-submissions': {
      type: 'string',
      default: 'logmel-baseline,random-conv,random-transformer',
    },
    /** Also write every row, with the host, as JSON here (the prepared GPU run collects them). */
    json: { type: 'string' },
  },
});
const device = values.device ?? 'cpu';
if (device !== 'cpu' && device !== 'webgpu' && device !== 'cuda') {
  throw new Error(`bench: --device must be cpu, webgpu or cuda (got "${device}")`);
}
// --device alone runs the CPU-versus-GPU comparison; with --only, what --only names.
const selected = selectBenchGroups(values.only, device);
const options: BenchOptions = {
  repetitions: Number(values.repetitions),
  probeEpochs: Number(values['probe-epochs']),
  device,
  frames: Number(values.frames),
  scaleEpochs: Number(values['scale-epochs']),
  scaleDir: values['scale-dir'],
  keep: values.keep,
  rehearsalScales: values['rehearsal-scales'].split(',').map(Number),
  rehearsalSubmissions: values['rehearsal-submissions'].split(','),
};
const repetitions = options.repetitions;
const rows: Row[] = [];
for (const group of selected) {
  const started = performance.now();
  rows.push(...(await group.run(options)));
  process.stderr.write(
    `bench: ${group.id} done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
const host = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}`;
process.stdout.write(`benchmarks on ${host} (medians of ${repetitions} unless noted)\n\n`);
const header = ['benchmark', 'baseline', 's', 'measured', 's', 'speed-up'];
const body = rows.map((row) => [
  row.name,
  row.baseline,
  Number.isNaN(row.baselineSeconds) ? '' : row.baselineSeconds.toFixed(3),
  row.measured,
  Number.isNaN(row.measuredSeconds) ? '' : row.measuredSeconds.toFixed(3),
  Number.isNaN(row.measuredSeconds)
    ? ''
    : `${(row.baselineSeconds / row.measuredSeconds).toFixed(2)}x`,
]);
const widths = header.map((title, column) =>
  Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)),
);
for (const cells of [header, ...body]) {
  process.stdout.write(
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd() + '\n',
  );
}
process.stdout.write('\n');
for (const row of rows) {
  if (row.note !== undefined) {
    process.stdout.write(`${row.note}\n`);
  }
}
if (values.json !== undefined) {
  await writeFile(
    values.json,
    JSON.stringify(
      {
        host,
        device,
        repetitions,
        rows: rows.map((row) => ({
          ...row,
          ratio: Number.isNaN(row.measuredSeconds)
            ? null
            : row.baselineSeconds / row.measuredSeconds,
        })),
      },
      null,
      2,
    ) + '\n',
  );
}

/** Timing helpers and the row every benchmark reports. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

/** Median seconds of `times` runs. */
export async function repeat(times: number, run: () => Promise<unknown>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    seconds.push(await timed(run));
  }
  return median(seconds);
}

/** One line of the report: a baseline and the measured code, timed in the same run. */
export interface Row {
  readonly name: string;
  readonly baseline: string;
  readonly baselineSeconds: number;
  readonly measured: string;
  readonly measuredSeconds: number;
  /** Extra line printed under the table (a throughput, an agreement check). */
  readonly note?: string;
}

/**
 * The arithmetic of the rehearsal bench: a straight line through each stage's seconds against
 * audio hours at the measured scales, its value at the real suite's hours, and how `plan`'s
 * matrix spreads the pairs of a full rebuild over its jobs.
 */

export interface Point {
  readonly hours: number;
  readonly seconds: number;
}

export interface Line {
  /** Fixed seconds (process starts, model loading, head set-up). */
  readonly intercept: number;
  /** Seconds per audio hour. */
  readonly slope: number;
}

/**
 * Hours must span at least this factor to tell a fixed cost from a proportional one: a task
 * whose small splits sit at their floors hardly grows between the bench's scales.
 */
const MIN_HOURS_SPAN = 1.5;

/**
 * Least squares. One point, hours that hardly differ, a negative fixed cost or a falling cost
 * give instead the line through the origin and the largest point: an upper bound, since it
 * counts the fixed costs as proportional.
 */
export function fitLine(points: readonly Point[]): Line {
  const n = points.length;
  const meanHours = points.reduce((sum, point) => sum + point.hours, 0) / Math.max(1, n);
  const meanSeconds = points.reduce((sum, point) => sum + point.seconds, 0) / Math.max(1, n);
  const spread = points.reduce((sum, point) => sum + (point.hours - meanHours) ** 2, 0);
  const hours = points.map((point) => point.hours);
  const largest = points.reduce<Point | undefined>(
    (best, point) => (best === undefined || point.hours > best.hours ? point : best),
    undefined,
  );
  const throughLargest = (): Line => ({
    intercept: 0,
    slope: largest && largest.hours > 0 ? largest.seconds / largest.hours : 0,
  });
  if (n < 2 || spread === 0 || Math.max(...hours) < MIN_HOURS_SPAN * Math.min(...hours)) {
    return n < 2 || spread === 0
      ? { intercept: 0, slope: meanHours > 0 ? meanSeconds / meanHours : 0 }
      : throughLargest();
  }
  const slope =
    points.reduce(
      (sum, point) => sum + (point.hours - meanHours) * (point.seconds - meanSeconds),
      0,
    ) / spread;
  // A negative fixed cost or a falling cost is noise at small scales.
  const intercept = meanSeconds - slope * meanHours;
  if (intercept < 0 || slope < 0) {
    return throughLargest();
  }
  return { intercept, slope };
}

export function atHours(line: Line, hours: number): number {
  return line.intercept + line.slope * hours;
}

/**
 * Seconds per hour at the largest scale over seconds per hour at the smallest: 1 when a stage
 * grows in proportion to the audio, below 1 when fixed costs dominate the small scales.
 */
export function proportionality(points: readonly Point[]): number {
  const sorted = [...points].sort((a, b) => a.hours - b.hours);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last || first.hours === 0 || last.hours === 0 || first.seconds === 0) {
    return Number.NaN;
  }
  return last.seconds / last.hours / (first.seconds / first.hours);
}

export interface JobLoad {
  readonly jobs: number;
  /** Seconds of the busiest job. */
  readonly longest: number;
  /** Seconds of all jobs together (runner time). */
  readonly total: number;
}

/**
 * `plan`'s split: pair k (in plan order, every protocol's pending pairs dealt the same way)
 * goes to job k mod n, whatever it costs (run/plan.ts `shardOf`).
 */
export function roundRobinLoad(costs: readonly number[], jobs: number): JobLoad {
  const load = new Array<number>(jobs).fill(0);
  costs.forEach((cost, index) => {
    load[index % jobs] = (load[index % jobs] as number) + cost;
  });
  return { jobs, longest: Math.max(...load), total: costs.reduce((a, b) => a + b, 0) };
}

/** The best one could do with these jobs: the longest pair first, to the least loaded job. */
export function balancedLoad(costs: readonly number[], jobs: number): JobLoad {
  const load = new Array<number>(jobs).fill(0);
  for (const cost of [...costs].sort((a, b) => b - a)) {
    const lightest = load.indexOf(Math.min(...load));
    load[lightest] = (load[lightest] as number) + cost;
  }
  return { jobs, longest: Math.max(...load), total: costs.reduce((a, b) => a + b, 0) };
}

/**
 * The fewest jobs whose round robin (plan's split) keeps every job within `limit` seconds, or
 * undefined when one pair alone exceeds it.
 */
export function jobsWithin(costs: readonly number[], limit: number): number | undefined {
  if (costs.some((cost) => cost > limit)) {
    return undefined;
  }
  for (let jobs = 1; jobs <= costs.length; jobs++) {
    if (roundRobinLoad(costs, jobs).longest <= limit) {
      return jobs;
    }
  }
  return costs.length;
}

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

/** Least squares; one point (or equal hours) gives a line through the origin. */
export function fitLine(points: readonly Point[]): Line {
  const n = points.length;
  const meanHours = points.reduce((sum, point) => sum + point.hours, 0) / Math.max(1, n);
  const meanSeconds = points.reduce((sum, point) => sum + point.seconds, 0) / Math.max(1, n);
  const spread = points.reduce((sum, point) => sum + (point.hours - meanHours) ** 2, 0);
  if (n < 2 || spread === 0) {
    return { intercept: 0, slope: meanHours > 0 ? meanSeconds / meanHours : 0 };
  }
  const slope =
    points.reduce(
      (sum, point) => sum + (point.hours - meanHours) * (point.seconds - meanSeconds),
      0,
    ) / spread;
  // A negative fixed cost is noise at small scales: keep the line through the largest point.
  const intercept = meanSeconds - slope * meanHours;
  if (intercept < 0) {
    const largest = points.reduce((a, b) => (b.hours > a.hours ? b : a));
    return { intercept: 0, slope: largest.seconds / largest.hours };
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

/**
 * Seeded randomness for everything that must be reproducible: head initialisation, shuffles and
 * the synthetic demo data. Streams are derived from (seed, label) so adding a new consumer never
 * shifts the numbers of an existing one.
 */
import { createHash } from 'node:crypto';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export class SeededRandom {
  readonly #rng: JumpableRandomGenerator;
  #spareNormal: number | undefined;

  /** An independent stream for `label` under `seed`. */
  constructor(seed: number, label = '') {
    const digest = createHash('sha256').update(`${seed}\u0000${label}`).digest();
    this.#rng = xoroshiro128plus(digest.readInt32LE(0));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#rng);
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** Uniform integer in [low, high], both included. */
  int(low: number, high: number): number {
    return uniformInt(this.#rng, low, high);
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const spare = this.#spareNormal;
      this.#spareNormal = undefined;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * factor;
    return u * factor;
  }

  /** Pick one element uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError('pick() from an empty list');
    }
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      order[i] = i;
    }
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = order[i] as number;
      order[i] = order[j] as number;
      order[j] = tmp;
    }
    return order;
  }
}

import { describe, expect, it } from 'vitest';
import { BENCH_GROUPS, selectBenchGroups } from '../../bench/groups.ts';

const ids = (groups: readonly { readonly id: string }[]) => groups.map((group) => group.id);

describe('bench groups', () => {
  it('has one row per id, each with a summary', () => {
    expect(new Set(ids(BENCH_GROUPS)).size).toBe(BENCH_GROUPS.length);
    for (const group of BENCH_GROUPS) {
      expect(group.summary.length, group.id).toBeGreaterThan(10);
    }
    expect(Object.isFrozen(BENCH_GROUPS)).toBe(true);
  });

  it('runs every group but the opt-in ones by default, and the device group alone for a GPU', () => {
    expect(ids(selectBenchGroups(undefined, 'cpu'))).toEqual(
      ids(BENCH_GROUPS).filter((id) => !['frames-scale', 'rehearsal', 'device'].includes(id)),
    );
    expect(ids(selectBenchGroups(undefined, 'webgpu'))).toEqual(['device']);
  });

  it('runs what --only names in the table order, and names the groups for an unknown one', () => {
    expect(ids(selectBenchGroups(' tar,knn', 'cpu'))).toEqual(['knn', 'tar']);
    expect(ids(selectBenchGroups('frames-scale', 'cpu'))).toEqual(['frames-scale']);
    expect(() => selectBenchGroups('knn,nope', 'cpu')).toThrow(
      `bench: unknown group "nope"; the groups are ${ids(BENCH_GROUPS).join(', ')}`,
    );
  });
});

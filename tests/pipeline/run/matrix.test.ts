import { describe, expect, it } from 'vitest';
import type { EvaluationPlan } from '../../../pipeline/run/plan.ts';
import { shardMatrix } from '../../../pipeline/run/matrix.ts';

/** A plan with `pending` pairs that need work, `current` done ones and `unsupported` skipped ones. */
function plan(pending: number, current = 0, unsupported = 0): EvaluationPlan {
  const item = (id: string, fields: { current: boolean; unsupported: string | undefined }) => ({
    id,
    ...fields,
  });
  const items = [
    ...Array.from({ length: pending }, (_, i) =>
      item(`p${i}`, { current: false, unsupported: undefined }),
    ),
    ...Array.from({ length: current }, (_, i) =>
      item(`c${i}`, { current: true, unsupported: undefined }),
    ),
    ...Array.from({ length: unsupported }, (_, i) =>
      item(`u${i}`, { current: false, unsupported: 'no' }),
    ),
  ];
  // Only the items matter to the matrix.
  return { items } as unknown as EvaluationPlan;
}

describe('shardMatrix', () => {
  it('deals every plan round-robin to the same jobs and counts the pairs of each', () => {
    expect(shardMatrix([plan(5, 2), plan(2, 0, 1)], 3)).toEqual({
      include: [
        { shard: '1/3', pairs: 3 },
        { shard: '2/3', pairs: 3 },
        { shard: '3/3', pairs: 1 },
      ],
      pending: 7,
      total: 10,
    });
  });

  it('never starts more jobs than the largest plan has pending pairs', () => {
    expect(shardMatrix([plan(2), plan(1)], 16).include.map((entry) => entry.shard)).toEqual([
      '1/2',
      '2/2',
    ]);
  });

  it('is empty when nothing needs work', () => {
    expect(shardMatrix([plan(0, 3)], 4)).toEqual({ include: [], pending: 0, total: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import { TASK_HEADS } from '../../../pipeline/heads/score-task.ts';
import { TaskType } from '../../../schemas/task.ts';

describe('TASK_HEADS', () => {
  it('has exactly one head for every task type the schema allows', () => {
    expect(Object.keys(TASK_HEADS).sort()).toEqual([...TaskType.options].sort());
    for (const type of TaskType.options) {
      expect(TASK_HEADS[type]).toBeTypeOf('function');
    }
  });

  it('cannot be changed at run time, so no caller swaps a head under another', () => {
    expect(Object.isFrozen(TASK_HEADS)).toBe(true);
    expect(() => {
      (TASK_HEADS as Record<string, unknown>)['clip'] = undefined;
    }).toThrow(TypeError);
  });
});

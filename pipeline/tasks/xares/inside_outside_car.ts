import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/inside_outside_car.ts', {
  suite: 'xares',
  id: 'inside_outside_car',
  version: 1,
  name: 'Inside/outside car',
  description: 'Private: recorded inside or outside a car.',
  domain: 'sound',
  dataset: {
    name: 'Xiaomi in-house',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'position',
    classes: ['inside', 'outside'],
    values: ['Inside', 'Outside'],
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'private',
  },
  trackA: {
    epochs: 20,
  },
  trackB: true,
  weight: 5000,
  private: true,
});

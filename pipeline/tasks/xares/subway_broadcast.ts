import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/subway_broadcast.ts', {
  suite: 'xares',
  id: 'subway_broadcast',
  version: 1,
  name: 'Subway broadcast',
  description:
    'Private: a subway announcement is playing or not. Train, validation and test are one split in X-ARES.',
  domain: 'sound',
  dataset: {
    name: 'Xiaomi in-house',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'broadcasting',
    classes: ['no broadcast', 'broadcast'],
    values: [0, 1],
    parse: 'integer',
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

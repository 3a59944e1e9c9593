import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/key_scratching.ts', {
  suite: 'xares',
  id: 'key_scratching',
  version: 1,
  name: 'Key scratching car',
  description: 'Private: key scratching a car or not. Disabled in X-ARES.',
  domain: 'sound',
  dataset: {
    name: 'Xiaomi in-house',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'tag',
    classes: ['scratching', 'no scratching'],
    values: ['T', 'F'],
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
  disabled: true,
});

import { defineTask } from '../define.ts';

// Twin of FSD50K: multi-label clips scored with macro mAP.
export default defineTask('pipeline/tasks/demo/demo_tags.ts', {
  suite: 'demo',
  position: 3,
  id: 'demo_tags',
  version: 1,
  name: 'Demo tags (multi-label)',
  description:
    'Clips of 0.8 s with one to three of six sound types (beeps, buzz, hiss, knocks, chirps, rumble) at random times and levels; every tag present must be found. Twin of FSD50K.',
  domain: 'sound',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'clip',
  metric: 'mean_average_precision',
  labels: {
    kind: 'multi',
    key: 'tags',
    separator: ';',
    classes: ['beep', 'buzz', 'hiss', 'knock', 'chirp', 'rumble'],
  },
  splits: {
    kind: 'standard',
    train: ['tags-train-000000.tar'],
    valid: ['tags-valid-000000.tar'],
    test: ['tags-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/tags@1' },
  trackA: { epochs: 10, learningRate: 1e-2, batchSize: 32, loss: 'bce' },
  trackB: false,
  weight: 40,
});

import { defineTask } from '../define.ts';

// Twin of DESED: frame-level events in fixed-length scenes, segment F1 (macro).
export default defineTask('pipeline/tasks/demo/demo_scenes.ts', {
  suite: 'demo',
  position: 4,
  id: 'demo_scenes',
  version: 1,
  name: 'Demo scenes (event detection)',
  description:
    'Two-second scenes with one to three events (alarm, barking, water, talking) with onsets and offsets; frame decisions are scored as segment F1 (macro) over 0.5 s segments. Twin of DESED.',
  domain: 'sound',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'frame',
  metric: 'segment_f1_macro',
  labels: {
    kind: 'events',
    startKey: 'onset',
    endKey: 'offset',
    classKey: 'label',
    classSeparator: ',',
    durationSeconds: 2,
    classes: ['alarm', 'barking', 'water', 'talking'],
  },
  splits: {
    kind: 'standard',
    train: ['scenes-train-000000.tar'],
    valid: ['scenes-valid-000000.tar'],
    test: ['scenes-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/scenes@1' },
  segmentSeconds: 0.5,
  trackA: { epochs: 10, learningRate: 1e-2, batchSize: 16, loss: 'bce' },
  trackB: false,
  weight: 24,
});

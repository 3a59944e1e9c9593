import { defineTask } from '../define.ts';

export default defineTask('pipeline/tasks/demo/demo_timbre.ts', {
  suite: 'demo',
  position: 2,
  id: 'demo_timbre',
  version: 2,
  name: 'Demo timbre (5-fold)',
  description:
    'Synthetic notes over three octaves whose class is the harmonic profile (flute-, reed-, string-, brass-like, plucked), evaluated by 5-fold cross-validation on 1 s crops.',
  domain: 'music',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'instrument',
    classes: ['flute', 'reed', 'string', 'brass', 'plucked'],
  },
  splits: {
    kind: 'folds',
    folds: [
      { id: '0', shards: ['timbre-fold-0-000000.tar'] },
      { id: '1', shards: ['timbre-fold-1-000000.tar'] },
      { id: '2', shards: ['timbre-fold-2-000000.tar'] },
      { id: '3', shards: ['timbre-fold-3-000000.tar'] },
      { id: '4', shards: ['timbre-fold-4-000000.tar'] },
    ],
  },
  source: { kind: 'generated', generator: 'demo/timbre@2' },
  cropSeconds: 1,
  trackA: { epochs: 10, learningRate: 1e-2, batchSize: 32 },
  trackB: true,
  weight: 25,
});

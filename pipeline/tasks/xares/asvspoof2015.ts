import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/asvspoof2015.ts', {
  suite: 'xares',
  id: 'asvspoof2015',
  version: 1,
  name: 'ASV2015',
  description:
    'Spoofing detection: genuine human speech or synthetic/converted speech. X-ARES scores it with accuracy (its README says EER).',
  domain: 'speech',
  dataset: {
    name: 'ASVspoof 2015',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'binary_spoof',
    classes: ['human', 'spoof'],
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14718430',
    filesVerified: false,
    xaresPatterns: {
      train: 'asvspoof_train*.tar',
      valid: 'asvspoof_valid*.tar',
      test: 'asvspoof_eval*.tar',
    },
  },
  trackA: {
    epochs: 5,
    batchSize: 64,
  },
  trackB: true,
  weight: 2000,
});

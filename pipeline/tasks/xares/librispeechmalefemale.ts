import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/librispeechmalefemale.ts', {
  suite: 'xares',
  id: 'librispeechmalefemale',
  version: 1,
  name: 'LibriSpeech-MF',
  description:
    'Speaker gender over 5 s crops. "M" is male; every other value counts as female, as in X-ARES.',
  domain: 'speech',
  dataset: {
    name: 'LibriSpeech (train-clean-100, dev-clean, test-clean)',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'gender',
    classes: ['male', 'female'],
    values: ['M', 'F'],
    otherwise: 1,
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14716252',
    filesVerified: false,
    xaresPatterns: {
      train: 'train-clean-100*.tar',
      valid: 'dev-clean*.tar',
      test: 'test-clean*.tar',
    },
  },
  cropSeconds: 5,
  trackB: true,
  weight: 2620,
});

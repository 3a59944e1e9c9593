import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/vocalsound.ts', {
  suite: 'xares',
  id: 'vocalsound',
  version: 1,
  name: 'VocalSound',
  description: 'Non-speech vocal sounds: laughter, sigh, throat clearing, cough, sneeze, sniff.',
  domain: 'speech',
  dataset: {
    name: 'VocalSound',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'label',
    classes: ['laughter', 'sigh', 'throatclearing', 'cough', 'sneeze', 'sniff'],
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14722710',
    filesVerified: false,
    xaresPatterns: {
      train: 'train*.tar',
      valid: 'valid*.tar',
      test: 'test*.tar',
    },
  },
  trackB: true,
  weight: 2000,
});

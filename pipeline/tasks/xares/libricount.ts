import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/libricount.ts', {
  suite: 'xares',
  id: 'libricount',
  version: 1,
  name: 'LibriCount',
  description: 'Counting concurrent speakers (0 to 10), 5-fold cross-validation.',
  domain: 'speech',
  dataset: {
    name: 'LibriCount',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'num_speakers',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
    values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  },
  splits: {
    kind: 'folds',
    folds: [
      {
        id: '0',
        shards: ['libricount_fold00.tar'],
      },
      {
        id: '1',
        shards: ['libricount_fold01.tar'],
      },
      {
        id: '2',
        shards: ['libricount_fold02.tar'],
      },
      {
        id: '3',
        shards: ['libricount_fold03.tar'],
      },
      {
        id: '4',
        shards: ['libricount_fold04.tar'],
      },
    ],
  },
  source: {
    kind: 'zenodo',
    record: '14722478',
    filesVerified: true,
    xaresPatterns: {
      '0': 'libricount_fold00.tar',
      '1': 'libricount_fold01.tar',
      '2': 'libricount_fold02.tar',
      '3': 'libricount_fold03.tar',
      '4': 'libricount_fold04.tar',
    },
  },
  trackA: {
    batchSize: 64,
  },
  trackB: true,
  weight: 1144,
});

import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/gtzan_genre.ts', {
  suite: 'xares',
  id: 'gtzan_genre',
  version: 1,
  name: 'GTZAN Genre',
  description: 'Music genre classification, 10 genres, 10-fold cross-validation.',
  domain: 'music',
  dataset: {
    name: 'GTZAN',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'genre',
    classes: [
      'blues',
      'classical',
      'country',
      'disco',
      'hiphop',
      'jazz',
      'metal',
      'pop',
      'reggae',
      'rock',
    ],
  },
  splits: {
    kind: 'folds',
    folds: [
      {
        id: '0',
        shards: ['gtzan_fold_0_0000000.tar'],
      },
      {
        id: '1',
        shards: ['gtzan_fold_1_0000000.tar'],
      },
      {
        id: '2',
        shards: ['gtzan_fold_2_0000000.tar'],
      },
      {
        id: '3',
        shards: ['gtzan_fold_3_0000000.tar'],
      },
      {
        id: '4',
        shards: ['gtzan_fold_4_0000000.tar'],
      },
      {
        id: '5',
        shards: ['gtzan_fold_5_0000000.tar'],
      },
      {
        id: '6',
        shards: ['gtzan_fold_6_0000000.tar'],
      },
      {
        id: '7',
        shards: ['gtzan_fold_7_0000000.tar'],
      },
      {
        id: '8',
        shards: ['gtzan_fold_8_0000000.tar'],
      },
      {
        id: '9',
        shards: ['gtzan_fold_9_0000000.tar'],
      },
    ],
  },
  source: {
    kind: 'zenodo',
    record: '14722472',
    filesVerified: true,
    xaresPatterns: {
      '0': 'gtzan_fold_0_0000000.tar',
      '1': 'gtzan_fold_1_0000000.tar',
      '2': 'gtzan_fold_2_0000000.tar',
      '3': 'gtzan_fold_3_0000000.tar',
      '4': 'gtzan_fold_4_0000000.tar',
      '5': 'gtzan_fold_5_0000000.tar',
      '6': 'gtzan_fold_6_0000000.tar',
      '7': 'gtzan_fold_7_0000000.tar',
      '8': 'gtzan_fold_8_0000000.tar',
      '9': 'gtzan_fold_9_0000000.tar',
    },
  },
  trackB: true,
  weight: 100,
});

import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/ravdess.ts', {
  suite: 'xares',
  id: 'ravdess',
  version: 1,
  name: 'RAVDESS',
  description: 'Emotion of acted speech, 8 classes, 4-fold cross-validation.',
  domain: 'speech',
  dataset: {
    name: 'RAVDESS',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'emotion',
    classes: ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'],
  },
  splits: {
    kind: 'folds',
    folds: [
      {
        id: '0',
        shards: ['ravdess_fold_0_0000000.tar'],
      },
      {
        id: '1',
        shards: ['ravdess_fold_1_0000000.tar'],
      },
      {
        id: '2',
        shards: ['ravdess_fold_2_0000000.tar'],
      },
      {
        id: '3',
        shards: ['ravdess_fold_3_0000000.tar'],
      },
    ],
  },
  source: {
    kind: 'zenodo',
    record: '14722524',
    filesVerified: true,
    xaresPatterns: {
      '0': 'ravdess_fold_0_0000000.tar',
      '1': 'ravdess_fold_1_0000000.tar',
      '2': 'ravdess_fold_2_0000000.tar',
      '3': 'ravdess_fold_3_0000000.tar',
    },
  },
  trackB: true,
  weight: 360,
});

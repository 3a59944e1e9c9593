import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/freemusicarchive.ts', {
  suite: 'xares',
  id: 'freemusicarchive',
  version: 1,
  name: 'Free Music Archive Small',
  description: 'Music genre classification (8 genres) over 10 s crops.',
  domain: 'music',
  dataset: {
    name: 'FMA small',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'genre',
    classes: [
      'Hip-Hop',
      'Pop',
      'Folk',
      'Experimental',
      'Rock',
      'International',
      'Electronic',
      'Instrumental',
    ],
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14725056',
    filesVerified: false,
    xaresPatterns: {
      train: 'fma_small_train*.tar',
      valid: 'fma_small_valid*.tar',
      test: 'fma_small_test*.tar',
    },
  },
  cropSeconds: 10,
  trackA: {
    epochs: 3,
  },
  trackB: true,
  weight: 800,
});

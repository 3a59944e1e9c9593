import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/urbansound8k.ts', {
  suite: 'xares',
  id: 'urbansound8k',
  version: 1,
  name: 'UrbanSound 8k',
  description: 'Urban sound classification, 10 classes, 10-fold cross-validation.',
  domain: 'sound',
  dataset: {
    name: 'UrbanSound8K',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'soundevent',
    classes: [
      'air_conditioner',
      'car_horn',
      'children_playing',
      'dog_bark',
      'drilling',
      'engine_idling',
      'gun_shot',
      'jackhammer',
      'siren',
      'street_music',
    ],
  },
  splits: {
    kind: 'folds',
    folds: [
      {
        id: '1',
        shards: ['urbansound_fold1_0000000.tar'],
      },
      {
        id: '2',
        shards: ['urbansound_fold2_0000000.tar'],
      },
      {
        id: '3',
        shards: ['urbansound_fold3_0000000.tar'],
      },
      {
        id: '4',
        shards: ['urbansound_fold4_0000000.tar'],
      },
      {
        id: '5',
        shards: ['urbansound_fold5_0000000.tar'],
      },
      {
        id: '6',
        shards: ['urbansound_fold6_0000000.tar'],
      },
      {
        id: '7',
        shards: ['urbansound_fold7_0000000.tar'],
      },
      {
        id: '8',
        shards: ['urbansound_fold8_0000000.tar'],
      },
      {
        id: '9',
        shards: ['urbansound_fold9_0000000.tar'],
      },
      {
        id: '10',
        shards: ['urbansound_fold10_0000000.tar'],
      },
    ],
  },
  source: {
    kind: 'zenodo',
    record: '14722683',
    filesVerified: true,
    xaresPatterns: {
      '1': 'urbansound_fold1_0000000.tar',
      '2': 'urbansound_fold2_0000000.tar',
      '3': 'urbansound_fold3_0000000.tar',
      '4': 'urbansound_fold4_0000000.tar',
      '5': 'urbansound_fold5_0000000.tar',
      '6': 'urbansound_fold6_0000000.tar',
      '7': 'urbansound_fold7_0000000.tar',
      '8': 'urbansound_fold8_0000000.tar',
      '9': 'urbansound_fold9_0000000.tar',
      '10': 'urbansound_fold10_0000000.tar',
    },
  },
  trackB: true,
  weight: 873,
});

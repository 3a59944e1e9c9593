import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/desed.ts', {
  suite: 'xares',
  id: 'desed',
  version: 1,
  name: 'DESED',
  description:
    'Sound event detection in 10 s domestic clips: frame-level labels scored as segment F1 (macro) over 1 s segments. Validation is the evaluation split, as in X-ARES.',
  domain: 'sound',
  dataset: {
    name: 'DESED',
  },
  type: 'frame',
  metric: 'segment_f1_macro',
  labels: {
    kind: 'events',
    startKey: 'onset',
    endKey: 'offset',
    classKey: 'label',
    classSeparator: ',',
    durationSeconds: 10,
    classes: [
      'Cat',
      'Speech',
      'Running_water',
      'Dishes',
      'Electric_shaver_toothbrush',
      'Vacuum_cleaner',
      'Blender',
      'Alarm_bell_ringing',
      'Dog',
      'Frying',
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
    record: '14808180',
    filesVerified: false,
    xaresPatterns: {
      train: 'wds-audio-train*.tar',
      valid: 'wds-audio-eval*.tar',
      test: 'wds-audio-eval*.tar',
    },
  },
  segmentSeconds: 1.0,
  trackA: {
    loss: 'bce',
  },
  trackB: false,
  weight: 1153,
});

import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/nsynthinstument.ts', {
  suite: 'xares',
  id: 'nsynthinstument',
  version: 1,
  name: 'NSynth-Instruments',
  description: 'Instrument family of single notes, 11 classes. The id keeps the X-ARES spelling.',
  domain: 'music',
  dataset: {
    name: 'NSynth',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'instrument_family_str',
    classes: [
      'guitar',
      'bass',
      'organ',
      'keyboard',
      'vocal',
      'string',
      'reed',
      'flute',
      'mallet',
      'brass',
      'synth_lead',
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
    record: '14725174',
    filesVerified: false,
    xaresPatterns: {
      train: 'nsynth_train*.tar',
      valid: 'nsynth_valid*.tar',
      test: 'nsynth_test*.tar',
    },
  },
  trackB: true,
  weight: 2000,
});

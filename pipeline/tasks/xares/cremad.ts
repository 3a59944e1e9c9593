import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/cremad.ts', {
  suite: 'xares',
  id: 'cremad',
  version: 1,
  name: 'CREMA-D',
  description: 'Emotion of acted speech: happy, sad, angry, fearful, disgusted or neutral.',
  domain: 'speech',
  dataset: {
    name: 'CREMA-D',
  },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'label',
    classes: ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'neutral'],
    values: ['H', 'S', 'A', 'F', 'D', 'N'],
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14646870',
    filesVerified: false,
    xaresPatterns: {
      train: 'wds-audio-train*.tar',
      valid: 'wds-audio-valid*.tar',
      test: 'wds-audio-test*.tar',
    },
  },
  trackB: true,
  weight: 1116,
});

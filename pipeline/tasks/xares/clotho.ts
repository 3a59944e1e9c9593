import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/clotho.ts', {
  suite: 'xares',
  id: 'clotho',
  version: 1,
  name: 'Clotho',
  description:
    'Audio-caption retrieval in both directions over 30 s crops, five captions per clip. Test is the "validation" split and validation the "evaluation" split, as in X-ARES.',
  domain: 'sound',
  dataset: {
    name: 'Clotho v2',
  },
  type: 'retrieval',
  metric: 'recall_at_1',
  labels: {
    kind: 'captions',
    captionsPerClip: 5,
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14856454',
    filesVerified: false,
    xaresPatterns: {
      train: 'clotho_development*.tar',
      valid: 'clotho_evaluation*.tar',
      test: 'clotho_validation*.tar',
    },
  },
  cropSeconds: 30,
  tokenizer: 'bert-base-uncased',
  trackA: {
    epochs: 20,
    batchSize: 128,
    loss: 'contrastive',
  },
  trackB: false,
  weight: 1045,
});

import { defineTask } from '../define.ts';

// Declared from the X-ARES v0.1.3 task file (label map, splits, recipe, eval_weight).
export default defineTask('pipeline/tasks/xares/librispeech.ts', {
  suite: 'xares',
  id: 'librispeech',
  version: 1,
  name: 'LibriSpeech-100h',
  description:
    'Speech recognition scored as iWER = max(0, 1 - WER). Here a linear CTC head on the frame embeddings with greedy decoding (X-ARES trains an adapter into a frozen Qwen2.5-0.5B; see the methodology page).',
  domain: 'speech',
  dataset: {
    name: 'LibriSpeech (train-clean-100, dev-clean, test-clean)',
  },
  type: 'asr',
  metric: 'inverse_wer',
  labels: {
    kind: 'transcript',
    key: 'trans',
  },
  splits: {
    kind: 'standard',
    train: [],
    valid: [],
    test: [],
  },
  source: {
    kind: 'zenodo',
    record: '14716252',
    filesVerified: false,
    xaresPatterns: {
      train: 'train-clean-100*.tar',
      valid: 'dev-clean*.tar',
      test: 'test-clean*.tar',
    },
  },
  trackA: {
    batchSize: 4,
    loss: 'ctc',
  },
  trackB: false,
  weight: 10000,
});

import { defineTask } from '../define.ts';

// Twin of Clotho: audio-caption retrieval with five captions per clip, Recall@1.
export default defineTask('pipeline/tasks/demo/demo_captions.ts', {
  suite: 'demo',
  position: 6,
  id: 'demo_captions',
  version: 1,
  name: 'Demo captions (retrieval)',
  description:
    'Clips of 1.5 s with two different sounds in sequence, each with five paraphrased captions; retrieval is scored as the mean of audio-to-text and text-to-audio Recall@1. Twin of Clotho.',
  domain: 'sound',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'retrieval',
  metric: 'recall_at_1',
  labels: { kind: 'captions', captionsPerClip: 5 },
  splits: {
    kind: 'standard',
    train: ['captions-train-000000.tar'],
    valid: ['captions-valid-000000.tar'],
    test: ['captions-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/captions@1' },
  tokenizer: 'demo-wordpiece',
  // Towers narrower than X-ARES's 1024 keep the demo build fast; the recipe is otherwise Clotho's.
  trackA: { epochs: 20, learningRate: 1e-3, batchSize: 128, loss: 'contrastive', hiddenSize: 256 },
  trackB: false,
  weight: 25,
});

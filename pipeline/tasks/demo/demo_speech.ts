import { defineTask } from '../define.ts';

// Twin of LibriSpeech-100h: transcription scored as iWER = max(0, 1 - WER).
export default defineTask('pipeline/tasks/demo/demo_speech.ts', {
  id: 'demo_speech',
  version: 1,
  name: 'Demo speech (recognition)',
  description:
    'Utterances of two to four words spelled with six synthetic vowel and nasal sounds; a CTC head transcribes them and the score is iWER = max(0, 1 - WER). Twin of LibriSpeech-100h.',
  domain: 'speech',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'asr',
  metric: 'inverse_wer',
  labels: { kind: 'transcript', key: 'trans' },
  splits: {
    kind: 'standard',
    train: ['speech-train-000000.tar'],
    valid: ['speech-valid-000000.tar'],
    test: ['speech-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/speech@1' },
  trackA: { epochs: 10, learningRate: 1e-3, batchSize: 4, loss: 'ctc' },
  trackB: false,
  weight: 35,
});

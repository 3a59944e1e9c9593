import { defineTask } from '../define.ts';

// Twin of LibriSpeech-100h: transcription scored as iWER = max(0, 1 - WER).
export default defineTask('pipeline/tasks/demo/demo_speech.ts', {
  suite: 'demo',
  position: 7,
  id: 'demo_speech',
  version: 2,
  name: 'Demo speech (recognition)',
  description:
    'Utterances of two or three words spelled with five synthetic sounds (three vowels, a nasal, a hiss); a linear CTC head transcribes them and the score is iWER = max(0, 1 - WER). Greedy CTC decoding needs frames that know their context, so frame-local front ends such as the log-mel baseline score near 0. Twin of LibriSpeech-100h.',
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
  source: { kind: 'generated', generator: 'demo/speech@2' },
  // LibriSpeech-100h has 28,539 training utterances; this twin has 100, so its CTC head takes
  // more epochs of smaller batches to see a comparable number of useful steps.
  trackA: { epochs: 40, learningRate: 3e-3, batchSize: 2, loss: 'ctc' },
  trackB: false,
  weight: 35,
});

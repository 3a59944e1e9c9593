import { defineTask } from '../define.ts';

// Twin of MAESTRO: note transcription, segment F1 (micro), BCE with pos_weight 10, batch 1.
export default defineTask('pipeline/tasks/demo/demo_notes.ts', {
  suite: 'demo',
  position: 5,
  id: 'demo_notes',
  version: 1,
  name: 'Demo notes (transcription)',
  description:
    'Three-second pieces of plucked notes from one octave (C5 to C6), up to two at a time; frame decisions are scored as segment F1 (micro) over 0.2 s segments. Twin of MAESTRO.',
  domain: 'music',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'frame',
  metric: 'segment_f1_micro',
  labels: {
    kind: 'events',
    startKey: 'start',
    endKey: 'end',
    classKey: 'note',
    classes: [
      'C5 (MIDI 72)',
      'D5 (MIDI 74)',
      'E5 (MIDI 76)',
      'F5 (MIDI 77)',
      'G5 (MIDI 79)',
      'A5 (MIDI 81)',
      'B5 (MIDI 83)',
      'C6 (MIDI 84)',
    ],
    values: [72, 74, 76, 77, 79, 81, 83, 84],
  },
  splits: {
    kind: 'standard',
    train: ['notes-train-000000.tar'],
    valid: ['notes-valid-000000.tar'],
    test: ['notes-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/notes@1' },
  segmentSeconds: 0.2,
  encodeBatchSize: 1,
  trackA: { epochs: 20, learningRate: 1e-3, batchSize: 1, loss: 'bce', posWeight: 10 },
  trackB: false,
  weight: 10,
});

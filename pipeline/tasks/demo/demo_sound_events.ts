import { defineTask } from '../define.ts';

export default defineTask('pipeline/tasks/demo/demo_sound_events.ts', {
  suite: 'demo',
  position: 1,
  id: 'demo_sound_events',
  version: 2,
  name: 'Demo sound events',
  description:
    'Synthetic short events (tones, noise bands, sweeps, harmonic stacks) whose class is the frequency region they occupy; neighbouring classes overlap. Mixed sample rates, mono and stereo, FLAC and 16/24-bit and float WAV.',
  domain: 'sound',
  dataset: { name: 'Generated demo data', license: 'CC0-1.0' },
  type: 'clip',
  metric: 'accuracy',
  labels: {
    kind: 'single',
    key: 'label',
    classes: ['rumble', 'hum', 'horn', 'bell', 'whistle', 'hiss'],
  },
  splits: {
    kind: 'standard',
    train: ['sound-events-train-000000.tar', 'sound-events-train-000001.tar'],
    valid: ['sound-events-valid-000000.tar'],
    test: ['sound-events-test-000000.tar'],
  },
  source: { kind: 'generated', generator: 'demo/sound-events@2' },
  trackA: { epochs: 10, learningRate: 1e-2, batchSize: 32 },
  trackB: true,
  weight: 60,
});

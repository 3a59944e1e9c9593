import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../schemas/protocols.ts';
import { embeddingKey } from '../../../pipeline/encode/stage.ts';
import { ensureExampleModels } from '../../../pipeline/example-encoders/examples.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { loadSubmission } from '../../../pipeline/submissions/scan.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('embeddingKey', () => {
  it('is stable for one execution provider and differs between providers', async () => {
    const submissions = join(ROOT, 'submissions');
    await ensureExampleModels(submissions, createMemoryLogger());
    const submission = await loadSubmission(
      join(submissions, 'random-conv'),
      'random-conv',
      join(ROOT, '.cache'),
    );
    const task = suiteTasks(getSuite('demo')).find((t) => t.id === 'demo_sound_events');
    if (!task) {
      throw new Error('no demo_sound_events');
    }
    const key = (provider: 'cpu' | 'cuda' | 'webgpu', protocol = PROTOCOLS.leaderboard) =>
      embeddingKey(submission, task, 'float32', provider, protocol);
    const cpu = key('cpu');
    expect(key('cpu')).toBe(cpu);
    expect(key('webgpu')).not.toBe(cpu);
    expect(key('cuda')).not.toBe(key('webgpu'));
    expect(key('cpu', PROTOCOLS['xares-0.1.3'])).not.toBe(cpu);
  });
});

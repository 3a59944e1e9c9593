/**
 * Suites: named lists of tasks evaluated and ranked together. `demo` is the small synthetic
 * suite bundled with the repository and used when nothing else is configured.
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import { UsageError } from '../errors.ts';
import { getTask } from '../tasks/registry.ts';

export interface SuiteDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly taskIds: readonly string[];
}

const SUITES: Readonly<Record<string, SuiteDefinition>> = {
  demo: {
    id: 'demo',
    name: 'Demo suite',
    description:
      'Small synthetic tasks generated deterministically by the repository, so the whole pipeline runs offline in minutes. Scores on it say nothing about real-world quality.',
    taskIds: [
      'demo_sound_events',
      'demo_timbre',
      'demo_tags',
      'demo_scenes',
      'demo_notes',
      'demo_captions',
      'demo_speech',
    ],
  },
  xares: {
    id: 'xares',
    name: 'X-ARES',
    description:
      'The X-ARES v0.1.3 task suite of the ICME 2025 Audio Encoder Capability Challenge: 22 public tasks over speech, environmental sound and music, and 5 organiser-private tasks (3 of them disabled, as in X-ARES).',
    taskIds: [
      'asvspoof2015',
      'clotho',
      'cremad',
      'desed',
      'esc50',
      'finger_snap',
      'fluentspeechcommands',
      'freemusicarchive',
      'fsd50k',
      'fsdkaggle2018',
      'gtzan_genre',
      'inside_outside_car',
      'key_scratching',
      'libricount',
      'librispeech',
      'librispeechmalefemale',
      'liveenv',
      'maestro',
      'nsynthinstument',
      'ravdess',
      'speechcommandsv1',
      'subway_broadcast',
      'urbansound8k',
      'vocalimitations',
      'vocalsound',
      'voxceleb1',
      'voxlingua33',
    ],
  },
};

/** The ids --suite accepts; the default suite is DEFAULT_SUITE in schemas/environment.ts. */
export const SUITE_IDS: readonly string[] = Object.keys(SUITES);

export function getSuite(id: string): SuiteDefinition {
  const suite = SUITES[id];
  if (!suite) {
    throw new UsageError(
      `unknown suite "${id}"`,
      `known suites: ${Object.keys(SUITES).join(', ')}`,
    );
  }
  return suite;
}

export function suiteTasks(suite: SuiteDefinition): TaskDefinition[] {
  return suite.taskIds.map(getTask);
}

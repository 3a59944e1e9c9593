/**
 * Every task the pipeline knows, by id. Task files are plain declarations; this module only
 * collects them and answers lookups (with a suggestion for typos).
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import { UsageError } from '../errors.ts';
import demoSoundEvents from './demo/demo_sound_events.ts';
import demoCaptions from './demo/demo_captions.ts';
import demoNotes from './demo/demo_notes.ts';
import demoScenes from './demo/demo_scenes.ts';
import demoSpeech from './demo/demo_speech.ts';
import demoTags from './demo/demo_tags.ts';
import demoTimbre from './demo/demo_timbre.ts';
import xaresAsvspoof2015 from './xares/asvspoof2015.ts';
import xaresClotho from './xares/clotho.ts';
import xaresCremad from './xares/cremad.ts';
import xaresDesed from './xares/desed.ts';
import xaresEsc50 from './xares/esc50.ts';
import xaresFingerSnap from './xares/finger_snap.ts';
import xaresFluentspeechcommands from './xares/fluentspeechcommands.ts';
import xaresFreemusicarchive from './xares/freemusicarchive.ts';
import xaresFsd50k from './xares/fsd50k.ts';
import xaresFsdkaggle2018 from './xares/fsdkaggle2018.ts';
import xaresGtzanGenre from './xares/gtzan_genre.ts';
import xaresInsideOutsideCar from './xares/inside_outside_car.ts';
import xaresKeyScratching from './xares/key_scratching.ts';
import xaresLibricount from './xares/libricount.ts';
import xaresLibrispeech from './xares/librispeech.ts';
import xaresLibrispeechmalefemale from './xares/librispeechmalefemale.ts';
import xaresLiveenv from './xares/liveenv.ts';
import xaresMaestro from './xares/maestro.ts';
import xaresNsynthinstument from './xares/nsynthinstument.ts';
import xaresRavdess from './xares/ravdess.ts';
import xaresSpeechcommandsv1 from './xares/speechcommandsv1.ts';
import xaresSubwayBroadcast from './xares/subway_broadcast.ts';
import xaresUrbansound8k from './xares/urbansound8k.ts';
import xaresVocalimitations from './xares/vocalimitations.ts';
import xaresVocalsound from './xares/vocalsound.ts';
import xaresVoxceleb1 from './xares/voxceleb1.ts';
import xaresVoxlingua33 from './xares/voxlingua33.ts';

const TASKS: ReadonlyMap<string, TaskDefinition> = new Map(
  [
    demoSoundEvents,
    demoTimbre,
    demoTags,
    demoScenes,
    demoNotes,
    demoCaptions,
    demoSpeech,
    xaresAsvspoof2015,
    xaresClotho,
    xaresCremad,
    xaresDesed,
    xaresEsc50,
    xaresFingerSnap,
    xaresFluentspeechcommands,
    xaresFreemusicarchive,
    xaresFsd50k,
    xaresFsdkaggle2018,
    xaresGtzanGenre,
    xaresInsideOutsideCar,
    xaresKeyScratching,
    xaresLibricount,
    xaresLibrispeech,
    xaresLibrispeechmalefemale,
    xaresLiveenv,
    xaresMaestro,
    xaresNsynthinstument,
    xaresRavdess,
    xaresSpeechcommandsv1,
    xaresSubwayBroadcast,
    xaresUrbansound8k,
    xaresVocalimitations,
    xaresVocalsound,
    xaresVoxceleb1,
    xaresVoxlingua33,
  ].map((task) => [task.id, task] as const),
);

export function allTasks(): TaskDefinition[] {
  return [...TASKS.values()];
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function getTask(id: string): TaskDefinition {
  const task = TASKS.get(id);
  if (task) {
    return task;
  }
  const suggestion = closestMatch(id, TASKS.keys());
  throw new UsageError(
    `unknown task "${id}"`,
    suggestion ? `did you mean "${suggestion}"?` : `known tasks: ${[...TASKS.keys()].join(', ')}`,
  );
}

/**
 * `rehearse`: the official rebuild of the public X-ARES suite, end to end, on generated data.
 *
 * 1. generate every public task's record at `scale` (generate.ts) into `<out>/zenodo/`;
 * 2. serve it from a local Zenodo on 127.0.0.1 (zenodo-server.ts);
 * 3. copy the xares task files to `<out>/tasks/xares/` and run `data discover --write` on the
 *    copies (never the repository's own), then load the copies;
 * 4. `data verify` them against `<out>/xares.lock.json`: every shard downloaded through the real
 *    download code and its hash recorded;
 * 5. evaluate every task for every submission under each protocol into `<out>/results/`,
 *    measuring each stage;
 * 6. with `control`, the same for the log-mel baseline on a copy whose clips carry the next
 *    clip's labels, which must score at chance;
 * 7. build the xares site from the results into `<out>/site/`.
 *
 * Everything it writes is under `<out>`; `<out>/rehearsal.json` holds every figure it prints.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProtocolName } from '../../schemas/protocols.ts';
import { measurementsFile, protocolResultsDir, resultFile } from '../../schemas/results-layout.ts';
import { TaskMeasurements, TaskResult } from '../../schemas/result.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { discoverTasks } from '../data/discover.ts';
import { verifySuiteData } from '../data/verify.ts';
import { isEvaluationFailure, PipelineError } from '../errors.ts';
import { readJsonFile } from '../io/files.ts';
import type { Logger } from '../log.ts';
import { evaluate } from '../run/loop.ts';
import type { EvaluateOptions } from '../run/options.ts';
import { planEvaluation, rebuildPlannedLeaderboard } from '../run/plan.ts';
import { getSuite, suiteTasks, type SuiteData } from '../suites/index.ts';
import { getTask } from '../tasks/registry.ts';
import type { DeclaredTask } from '../tasks/define.ts';
import { writeDiscoveredTaskFiles } from '../tasks/task-file.ts';
import { sha256Bytes } from '../util/hash.ts';
import {
  generateRehearsalTask,
  rehearsalVocabulary,
  type GeneratedTaskFacts,
  type RehearsalFloors,
} from './generate.ts';
import { rehearsalDataset } from './datasets.ts';
import { startLocalZenodo, type LocalZenodo } from './zenodo-server.ts';

export const REHEARSAL_SEED = 20261207;
const CONTROL_SUBMISSION = 'logmel-baseline';
const VOCABULARY_PATH = '/rehearsal/vocab.txt';

export interface RehearseOptions {
  readonly out: string;
  readonly scale: number;
  readonly submissionsDir: string;
  readonly protocols: readonly ProtocolName[];
  /** Only these task ids (default: every public task). */
  readonly tasks?: readonly string[] | undefined;
  /** Also run the off-by-one control (log-mel baseline, leaderboard protocol). */
  readonly control: boolean;
  /** What a small scale keeps at least (generate.ts; default LEARNABLE_FLOORS). */
  readonly floors?: RehearsalFloors | undefined;
  /** Cut clips longer than this (keeps a test run short; default: real lengths). */
  readonly maxClipSeconds?: number | undefined;
  /** Build the site from the results (default true). */
  readonly buildSite?: boolean;
  readonly threads?: number | undefined;
  /** Builds the site; the CLI passes astro's build, tests may pass nothing. */
  readonly siteBuilder?: (environment: NodeJS.ProcessEnv) => Promise<void>;
  readonly logger: Logger;
}

/** Figures of one (submission, task, protocol) evaluation. */
export interface PairFigures {
  readonly submission: string;
  readonly task: string;
  readonly protocol: ProtocolName;
  readonly trackA: number | null;
  readonly trackB: number | null;
  readonly encodeStageSeconds: number | null;
  readonly modelSeconds: number | null;
  readonly trackASeconds: number | null;
  readonly trackBSeconds: number | null;
  readonly encoderPeakRssBytes: number | null;
}

export interface TaskFigures extends GeneratedTaskFacts {
  readonly generateSeconds: number;
  readonly fetchVerifySeconds: number;
  /** Wall seconds of the whole evaluation of the task, all submissions, per protocol. */
  readonly evaluateSeconds: Readonly<Partial<Record<ProtocolName, number>>>;
  /** Peak resident memory of this process while the task was evaluated. */
  readonly mainPeakRssBytes: number;
  readonly controlScore?: number | null;
}

export interface RehearsalReport {
  readonly scale: number;
  readonly seed: number;
  readonly protocols: readonly ProtocolName[];
  readonly tasks: readonly TaskFigures[];
  readonly pairs: readonly PairFigures[];
  /** Evaluations that failed, with the pipeline's message: the rehearsal went on past them. */
  readonly failures: readonly string[];
  readonly leftOut: readonly string[];
  readonly discovery: readonly string[];
  readonly scoringSeconds: number;
  readonly siteSeconds: number | null;
  readonly totalSeconds: number;
}

/** Written into every rehearsal folder: only a folder holding it is ever cleared. */
const FOLDER_MARK = '.rehearsal-folder';
/** What a rehearsal writes in its folder, and so what it clears at the start of the next one. */
const OWNED_ENTRIES = [
  'zenodo',
  'tasks',
  'cache',
  'results',
  'site',
  'control',
  'xares.lock.json',
  'rehearsal.json',
];

/**
 * A rehearsal measures, so nothing of an earlier one is reused: its own entries are cleared. A
 * folder that holds anything and was not made by a rehearsal is refused, never emptied.
 */
async function claimFolder(out: string): Promise<void> {
  const entries = existsSync(out) ? await readdir(out) : [];
  if (entries.length > 0 && !entries.includes(FOLDER_MARK)) {
    throw new PipelineError(
      'USAGE',
      `rehearse: ${out} is not empty and was not made by a rehearsal`,
      {
        hint: 'give --out a new or empty folder (a rehearsal clears its own folder before it starts)',
      },
    );
  }
  await mkdir(out, { recursive: true });
  for (const entry of OWNED_ENTRIES) {
    await rm(join(out, entry), { recursive: true, force: true });
  }
  await writeFile(
    join(out, FOLDER_MARK),
    'made by `npm run pipeline -- rehearse`; cleared by the next one\n',
  );
}

/** Samples this process's resident memory while `work` runs; returns its peak. */
async function peakRssDuring<T>(work: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  try {
    const value = await work();
    return { value, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

function publicTasks(only: readonly string[] | undefined): TaskDefinition[] {
  const tasks = suiteTasks(getSuite('xares')).filter(
    (task) => task.source.kind === 'zenodo' && !task.private && !task.disabled,
  );
  if (only === undefined) {
    return tasks;
  }
  const unknown = only.filter((id) => !tasks.some((task) => task.id === id));
  if (unknown.length > 0) {
    throw new PipelineError('USAGE', `rehearse: no public X-ARES task ${unknown.join(', ')}`, {
      hint: `public tasks: ${tasks.map((task) => task.id).join(', ')}`,
    });
  }
  return tasks.filter((task) => only.includes(task.id));
}

/**
 * Copies of the xares task files under `<folder>/xares/`, importing the repository's define.ts,
 * so that discovery can rewrite them and they load as the registry loads its own.
 */
async function copyTaskFiles(folder: string): Promise<Map<string, string>> {
  const source = join(import.meta.dirname, '..', 'tasks', 'xares');
  const target = join(folder, 'xares');
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const define = pathToFileURL(join(import.meta.dirname, '..', 'tasks', 'define.ts')).href;
  const files = new Map<string, string>();
  for (const name of (await readdir(source)).filter((entry) => entry.endsWith('.ts')).sort()) {
    const text = await readFile(join(source, name), 'utf8');
    const copy = join(target, name);
    await writeFile(copy, text.replace("from '../define.ts'", `from '${define}'`));
    files.set(name.replace(/\.ts$/, ''), copy);
  }
  return files;
}

async function loadTaskCopies(files: ReadonlyMap<string, string>): Promise<TaskDefinition[]> {
  const loaded: TaskDefinition[] = [];
  // A query per load, so a second rehearsal in one process reads the rewritten files afresh.
  const stamp = Date.now();
  for (const path of files.values()) {
    const module = (await import(`${pathToFileURL(path).href}?rehearsal=${stamp}`)) as {
      default: DeclaredTask;
    };
    loaded.push(module.default.definition);
  }
  const order = suiteTasks(getSuite('xares')).map((task) => task.id);
  return loaded.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

interface World {
  readonly zenodo: LocalZenodo;
  readonly data: SuiteData;
  readonly cacheDir: string;
  readonly resultsDir: string;
  readonly discovery: string[];
  readonly leftOut: string[];
  readonly facts: Map<string, GeneratedTaskFacts & { generateSeconds: number }>;
  readonly fetchVerifySeconds: Map<string, number>;
}

/** Generate, serve, discover into copies and verify: everything before evaluation. */
async function prepareWorld(
  folder: string,
  tasks: readonly TaskDefinition[],
  options: RehearseOptions,
  control: boolean,
): Promise<World> {
  const { logger } = options;
  const records = join(folder, 'zenodo');
  await rm(records, { recursive: true, force: true });
  const facts = new Map<string, GeneratedTaskFacts & { generateSeconds: number }>();
  const generateOptions = {
    root: records,
    scale: options.scale,
    seed: REHEARSAL_SEED,
    control,
    maxClipSeconds: options.maxClipSeconds,
    floors: options.floors,
    logger,
  };
  // The second LibriSpeech task reads the first one's record: its writer comes first, and is
  // written even when only the second task is rehearsed.
  const writerOf = (task: TaskDefinition): TaskDefinition => {
    const owner = rehearsalDataset(task.id).sameRecordAs;
    return owner === undefined ? task : getTask(owner);
  };
  const writers = [...new Set(tasks.map(writerOf))];
  for (const writer of writers.filter((entry) => !tasks.includes(entry))) {
    await generateRehearsalTask(writer, generateOptions);
  }
  const ordered = [...tasks].sort((a, b) => Number(writerOf(a) !== a) - Number(writerOf(b) !== b));
  for (const task of ordered) {
    const { value, seconds } = await timed(() =>
      generateRehearsalTask(task, generateOptions, writerOf(task)),
    );
    facts.set(task.id, { ...value, generateSeconds: seconds });
  }
  const vocabulary = new TextEncoder().encode(rehearsalVocabulary());
  const zenodo = await startLocalZenodo(records, new Map([[VOCABULARY_PATH, vocabulary]]));
  try {
    const files = await copyTaskFiles(join(folder, 'tasks'));
    const discovered = await discoverTasks(tasks, zenodo.url, logger);
    const discovery = await writeDiscoveredTaskFiles(discovered, files);
    const leftOut = discovered.flatMap(({ task, discovery: found }) =>
      found.leftOut.map((file) => `${task.id}: ${file.name} (matches "${file.pattern}")`),
    );
    const loaded = await loadTaskCopies(files);
    const lockFile = join(folder, 'xares.lock.json');
    await rm(lockFile, { force: true });
    const data: SuiteData = { tasks: loaded, lockFile, localZenodoUrl: zenodo.url };
    const cacheDir = join(folder, 'cache');
    await rm(join(cacheDir, 'data'), { recursive: true, force: true });
    const fetchVerifySeconds = new Map<string, number>();
    for (const task of loaded.filter((entry) => tasks.some((wanted) => wanted.id === entry.id))) {
      const { seconds } = await timed(() =>
        verifySuiteData({
          action: 'verify',
          suiteId: 'xares',
          lockFile,
          localZenodoUrl: zenodo.url,
          tasks: [task],
          publicOnly: true,
          cacheDir,
          logger,
          environment: {},
        }),
      );
      fetchVerifySeconds.set(task.id, seconds);
    }
    // Every shard is now in the cache, verified: the served copies only take disk (at scale
    // 0.002 the records are several gigabytes, and the control doubles them).
    await rm(records, { recursive: true, force: true });
    return {
      zenodo,
      data,
      cacheDir,
      resultsDir: join(folder, 'results'),
      discovery,
      leftOut,
      facts,
      fetchVerifySeconds,
    };
  } catch (error) {
    await zenodo.close();
    throw error;
  }
}

/** What every evaluation of a world shares: its tasks, lock file, folders and vocabulary. */
function evaluateOptions(world: World, options: RehearseOptions) {
  const vocabulary = rehearsalVocabulary();
  return {
    suiteId: 'xares',
    suiteData: world.data,
    resultsDir: world.resultsDir,
    cacheDir: world.cacheDir,
    submissionsDir: options.submissionsDir,
    threads: options.threads,
    tokenizerSource: {
      url: `${world.zenodo.url}${VOCABULARY_PATH}`,
      sha256: sha256Bytes(vocabulary),
      sizeBytes: new TextEncoder().encode(vocabulary).length,
    },
    logger: options.logger,
  } satisfies Partial<EvaluateOptions>;
}

/**
 * `work`, with a pipeline failure (a pair that failed on its data or its model) recorded in
 * `failures` instead of thrown: a rehearsal goes on and lists every failure at the end.
 * Interruptions and usage errors still stop it.
 */
async function recordingFailures<T>(
  failures: string[],
  label: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!isEvaluationFailure(error)) {
      throw error;
    }
    failures.push(`${label}: ${error.message}`);
    return undefined;
  }
}

/** The figures of a stored result and its measurements, or undefined where there is none. */
async function readPair(
  resultsDir: string,
  protocol: ProtocolName,
  submission: string,
  task: string,
): Promise<PairFigures | undefined> {
  const dir = protocolResultsDir(resultsDir, protocol);
  if (!existsSync(resultFile(dir, submission, task))) {
    return undefined;
  }
  const result = await readJsonFile(resultFile(dir, submission, task), TaskResult, 'task result');
  const measured = await readJsonFile(
    measurementsFile(dir, submission, task),
    TaskMeasurements,
    'task measurements',
  );
  const trackBSeconds = measured.trackBSeconds ?? null;
  return {
    submission,
    task,
    protocol,
    trackA: result.trackA.score,
    trackB: result.trackB?.score ?? null,
    encodeStageSeconds: measured.encodeStageSeconds ?? null,
    modelSeconds: measured.encodeSeconds,
    trackASeconds: measured.headSeconds - (trackBSeconds ?? 0),
    trackBSeconds: result.trackB === null ? null : trackBSeconds,
    encoderPeakRssBytes: measured.peakRssBytes,
  };
}

export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const started = performance.now();
  const out = resolve(options.out);
  const tasks = publicTasks(options.tasks);
  await claimFolder(out);
  const world = await prepareWorld(out, tasks, options, false);
  const evaluateSeconds = new Map<string, Partial<Record<ProtocolName, number>>>();
  const mainPeak = new Map<string, number>();
  const pairs: PairFigures[] = [];
  const failures: string[] = [];
  const submissions = (await readdir(options.submissionsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^[a-z0-9]/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  let scoringSeconds = 0;
  try {
    for (const protocol of options.protocols) {
      for (const task of tasks) {
        const { value, peak } = await peakRssDuring(() =>
          timed(() =>
            recordingFailures(failures, `${task.id} (${protocol})`, () =>
              evaluate({ ...evaluateOptions(world, options), protocol, task: task.id }),
            ),
          ),
        );
        evaluateSeconds.set(task.id, {
          ...evaluateSeconds.get(task.id),
          [protocol]: value.seconds,
        });
        mainPeak.set(task.id, Math.max(mainPeak.get(task.id) ?? 0, peak));
        // Every result in the folder is this run's (the folder was cleared), failures or not.
        for (const submission of submissions) {
          const pair = await readPair(world.resultsDir, protocol, submission, task.id);
          if (pair) {
            pairs.push(pair);
          }
        }
      }
      // The leaderboard over every task once more: what `score` costs for the whole suite.
      const { seconds } = await timed(async () => {
        const plan = await planEvaluation({ ...evaluateOptions(world, options), protocol });
        await rebuildPlannedLeaderboard(plan, world.cacheDir);
      });
      scoringSeconds += seconds;
    }
  } finally {
    await world.zenodo.close();
  }

  const controlScores = new Map<string, number | null>();
  if (options.control) {
    // The results and embeddings stay; the main world's shards are not read again.
    await rm(join(world.cacheDir, 'data'), { recursive: true, force: true });
    const control = await prepareWorld(join(out, 'control'), tasks, options, true);
    try {
      for (const task of tasks) {
        await recordingFailures(failures, `${task.id} (control)`, () =>
          evaluate({
            ...evaluateOptions(control, options),
            submission: CONTROL_SUBMISSION,
            task: task.id,
          }),
        );
        const pair = await readPair(control.resultsDir, 'leaderboard', CONTROL_SUBMISSION, task.id);
        controlScores.set(task.id, pair?.trackA ?? null);
      }
    } finally {
      await control.zenodo.close();
    }
  }

  let siteSeconds: number | null = null;
  if (options.buildSite !== false && options.siteBuilder) {
    const builder = options.siteBuilder;
    siteSeconds = (
      await timed(() =>
        builder({
          ...process.env,
          LEADERBOARD_SUITE: 'xares',
          LEADERBOARD_RESULTS_DIR: world.resultsDir,
          LEADERBOARD_OUT_DIR: join(out, 'site'),
        }),
      )
    ).seconds;
  }

  const report: RehearsalReport = {
    scale: options.scale,
    seed: REHEARSAL_SEED,
    protocols: options.protocols,
    tasks: tasks.map((task) => {
      const facts = world.facts.get(task.id) as GeneratedTaskFacts & { generateSeconds: number };
      return {
        ...facts,
        fetchVerifySeconds: world.fetchVerifySeconds.get(task.id) ?? 0,
        evaluateSeconds: evaluateSeconds.get(task.id) ?? {},
        mainPeakRssBytes: mainPeak.get(task.id) ?? 0,
        ...(options.control ? { controlScore: controlScores.get(task.id) ?? null } : {}),
      };
    }),
    pairs,
    failures,
    leftOut: world.leftOut,
    discovery: world.discovery,
    scoringSeconds,
    siteSeconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(out, 'rehearsal.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/**
 * Content-layer loaders: the site's only way in for data. Each reads JSON files from the results
 * folder and validates them with the shared schemas; an invalid or missing required file fails
 * the build with the file name and the JSON pointer of the bad field.
 *
 * - leaderboard: `results/<suite>/leaderboard.json` (required);
 * - efficiency: `results/<suite>/efficiency.json` (optional: speed differs between runs);
 * - status: `results/<suite>/status.json` (optional): every (submission, task) pair's state;
 * - runs: every `results/<suite>/runs/<slug>/<task>.json` with its measurements, for provenance;
 *   the leaderboard is cross-checked against them: every score must be backed by a result of
 *   the submission's current model (cross-check.ts);
 * - editions: the leaderboard of each other protocol, `results/<suite>/protocols/<name>/`
 *   (optional), cross-checked against its own runs the same way;
 * - archive: every `results/archive/<edition>.json`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import type { z } from 'zod';
import { ArchiveEdition } from '../../schemas/archive.ts';
import { crossCheckLeaderboard, crossCheckStatus } from '../../schemas/cross-check.ts';
import {
  parseJsonText,
  parseWithFriendlyErrors,
  SchemaValidationError,
} from '../../schemas/friendly-errors.ts';
import { Efficiency, Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskMeasurements, TaskResult } from '../../schemas/result.ts';
import {
  efficiencyFile,
  isResultFileName,
  leaderboardFile,
  measurementsFile,
  OTHER_PROTOCOLS,
  protocolResultsDir,
  runsDir,
  statusFile,
} from '../../schemas/results-layout.ts';
import { StatusFile } from '../../schemas/status.ts';
import { parseEnvironment, resultsDirFor } from '../../schemas/environment.ts';

function resultsDir(context: LoaderContext): string {
  const environment = parseEnvironment(process.env);
  return resolve(fileURLToPath(context.config.root), resultsDirFor(environment, environment.suite));
}

/**
 * The loaders' refusal of the results: its message names the file, the field and the fix, and is
 * all there is to say. Astro prints the stack trace of any error that has one, which after such a
 * message only buries it, so a refusal has none.
 */
class ResultsRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsRefusal';
    this.stack = '';
  }
}

function readValidated<S extends z.ZodType>(path: string, schema: S, what: string): z.output<S> {
  try {
    return parseWithFriendlyErrors(
      schema,
      parseJsonText(readFileSync(path, 'utf8'), path),
      path,
      what,
    );
  } catch (error) {
    throw error instanceof SchemaValidationError ? new ResultsRefusal(error.message) : error;
  }
}

function archiveDir(context: LoaderContext): string {
  return resolve(fileURLToPath(context.config.root), parseEnvironment(process.env).archiveDir);
}

/**
 * A loader that, in `astro dev`, loads again whenever a file under the folder it reads changes
 * (an evaluate in another terminal, a merge): without it the dev server kept showing the results
 * it started with. Changes come in bursts (every result, then the leaderboard), so a reload waits
 * for a pause.
 */
function watchedLoader(
  name: string,
  sync: (context: LoaderContext) => Promise<void>,
  watchedDir: (context: LoaderContext) => string = resultsDir,
): Loader {
  return {
    name,
    load: async (context) => {
      await sync(context);
      const { watcher } = context;
      if (!watcher) {
        return;
      }
      const dir = watchedDir(context);
      watcher.add(dir);
      let timer: NodeJS.Timeout | undefined;
      watcher.on('all', (_event, path) => {
        if (!resolve(path).startsWith(dir)) {
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(() => {
          sync(context).catch((error: unknown) => {
            context.logger.error(error instanceof Error ? error.message : String(error));
          });
        }, 300);
      });
    },
  };
}

async function store(
  context: LoaderContext,
  entries: readonly { id: string; data: Record<string, unknown>; filePath: string }[],
): Promise<void> {
  context.store.clear();
  for (const entry of entries) {
    context.store.set({ id: entry.id, data: await context.parseData(entry) });
  }
}

export function leaderboardLoader(): Loader {
  return watchedLoader('leaderboard-json', async (context) => {
    const path = leaderboardFile(resultsDir(context));
    if (!existsSync(path)) {
      throw new ResultsRefusal(
        `${path} does not exist. Run \`npm run evaluate\` (or \`npm run build\`, which evaluates first).`,
      );
    }
    const leaderboard = readValidated(path, Leaderboard, 'leaderboard');
    context.logger.info(
      `${leaderboard.submissions.length} submissions, ${leaderboard.tasks.length} tasks from ${path}`,
    );
    await store(context, [{ id: 'current', data: leaderboard, filePath: path }]);
  });
}

export function statusLoader(): Loader {
  return watchedLoader('status-json', async (context) => {
    const path = statusFile(resultsDir(context));
    const entries = existsSync(path)
      ? [{ id: 'current', data: readValidated(path, StatusFile, 'status'), filePath: path }]
      : [];
    await store(context, entries);
  });
}

export function efficiencyLoader(): Loader {
  return watchedLoader('efficiency-json', async (context) => {
    const path = efficiencyFile(resultsDir(context));
    const entries = existsSync(path)
      ? [{ id: 'current', data: readValidated(path, Efficiency, 'efficiency'), filePath: path }]
      : [];
    await store(context, entries);
  });
}

interface RunFile {
  readonly id: string;
  readonly path: string;
  readonly result: TaskResult;
  readonly measurements: TaskMeasurements | null;
}

/** Every `runs/<slug>/<task>.json` of a results folder with its measurements, validated. */
function readRunFiles(dir: string): RunFile[] {
  const root = runsDir(dir);
  const files: RunFile[] = [];
  if (!existsSync(root)) {
    return files;
  }
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const slug = entry.name;
    const folder = join(root, slug);
    if (!entry.isDirectory()) {
      if (slug.startsWith('.')) {
        continue;
      }
      throw new ResultsRefusal(
        `${folder}: only submission folders belong directly under ${root} (this is a ${entry.isSymbolicLink() ? 'symbolic link' : 'file'}); move or delete it and build again`,
      );
    }
    const names = readdirSync(folder).filter(isResultFileName).sort();
    for (const name of names) {
      const task = basename(name, '.json');
      const path = join(folder, name);
      const measuredPath = measurementsFile(dir, slug, task);
      files.push({
        id: `${slug}/${task}`,
        path,
        result: readValidated(path, TaskResult, 'task result'),
        measurements: existsSync(measuredPath)
          ? readValidated(measuredPath, TaskMeasurements, 'task measurements')
          : null,
      });
    }
  }
  return files;
}

/** Fail the build when a results folder's leaderboard disagrees with its run files. */
async function crossCheck(dir: string, runs: readonly RunFile[]): Promise<void> {
  const path = leaderboardFile(dir);
  if (!existsSync(path)) {
    return;
  }
  const leaderboard = readValidated(path, Leaderboard, 'leaderboard');
  const stored = runs.map((run) => ({ file: run.path, result: run.result }));
  const problems = await crossCheckLeaderboard(leaderboard, path, stored);
  const status = statusFile(dir);
  if (problems.length === 0 && existsSync(status)) {
    problems.push(
      ...crossCheckStatus(readValidated(status, StatusFile, 'status'), status, leaderboard, stored),
    );
  }
  if (problems.length > 0) {
    throw new ResultsRefusal(
      `the leaderboard disagrees with the results it was built from (${problems.length} problem${problems.length === 1 ? '' : 's'}); rebuild it with \`npm run evaluate\`, never by hand:\n  - ${problems.join('\n  - ')}`,
    );
  }
}

export function runsLoader(): Loader {
  return watchedLoader('runs-json', async (context) => {
    const dir = resultsDir(context);
    const runs = readRunFiles(dir);
    // The cross-check lives here, where the run files are read anyway; the leaderboard loader
    // reports a missing or invalid leaderboard.json.
    await crossCheck(dir, runs);
    // The pages need provenance and fold scores; the replicates (most of each file) were needed
    // only by the cross-check above and stay out of the content store.
    const entries = runs.map((run) => ({
      id: run.id,
      data: {
        submission: run.result.submission,
        task: run.result.task,
        folds: run.result.trackA.folds,
        provenance: run.result.provenance,
        measurements: run.measurements,
      },
      filePath: run.path,
    }));
    await store(context, entries);
  });
}

export function editionsLoader(): Loader {
  return watchedLoader('editions-json', async (context) => {
    const entries = [];
    for (const protocol of OTHER_PROTOCOLS) {
      const dir = protocolResultsDir(resultsDir(context), protocol);
      const path = leaderboardFile(dir);
      if (!existsSync(path)) {
        continue;
      }
      await crossCheck(dir, readRunFiles(dir));
      entries.push({
        id: protocol,
        data: { protocol, leaderboard: readValidated(path, Leaderboard, 'leaderboard') },
        filePath: path,
      });
    }
    await store(context, entries);
  });
}

export function archiveLoader(): Loader {
  return watchedLoader(
    'archive-json',
    async (context) => {
      const dir = archiveDir(context);
      const entries = existsSync(dir)
        ? readdirSync(dir)
            .filter((name) => name.endsWith('.json'))
            .sort()
            .map((name) => {
              const path = join(dir, name);
              const edition = readValidated(path, ArchiveEdition, 'archived edition');
              return { id: edition.id, data: edition, filePath: path };
            })
        : [];
      await store(context, entries);
    },
    archiveDir,
  );
}

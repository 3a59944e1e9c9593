/**
 * Merge the results of sharded evaluation jobs (one folder each, the `runs/` tree an `evaluate
 * --shard i/n` job wrote) into a results folder, then rebuild the leaderboard.
 *
 * The folders come from CI artifacts, so each file is checked before anything is written: it
 * must parse with the result schema, sit under its own submission and task, belong to a known
 * submission and task of the suite, and be usable for the current inputs as stored-result.ts
 * decides for every stored result: a digest that matches its content and the fingerprint the
 * current inputs give (model sha256, task version, locked shard hashes, protocol, engine, seed, precision, replicates). Two
 * copies of the same result must be byte-identical, as evaluation is deterministic. Any problem
 * stops the merge with every problem listed and nothing written.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { TaskMeasurements } from '../../schemas/result.ts';
import type { ProtocolName } from '../../schemas/protocols.ts';
import { failureFile, measurementsFile, resultFile } from '../../schemas/results-layout.ts';
import { FailureRecord } from '../../schemas/status.ts';
import { PipelineError } from '../errors.ts';
import { prepareAndPlan } from './prepare.ts';
import { rebuildPlannedLeaderboard } from './plan.ts';
import { lockedShards, resultFingerprint } from '../fingerprints.ts';
import { writeFileAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';
import { matchesInputs, parseResultText } from '../scoring/stored-result.ts';

export interface MergeOptions {
  readonly suiteId: string;
  /** The suite's results folder; the protocol's part of it receives the results. */
  readonly resultsDir: string;
  readonly protocol?: ProtocolName | undefined;
  readonly cacheDir: string;
  readonly submissionsDir: string;
  /** Folders holding `<slug>/<task>.json`, or a `runs/` folder with them. */
  readonly from: readonly string[];
  readonly logger: Logger;
}

export interface MergeSummary {
  /** `slug x task` of the results written or found already in place. */
  readonly merged: readonly string[];
  readonly unchanged: readonly string[];
}

/** A failure record of a shard job, carried over for the status page. */
interface FailureCandidate {
  readonly source: string;
  readonly slug: string;
  readonly task: string;
  readonly text: string;
}

interface Candidate {
  readonly source: string;
  readonly slug: string;
  readonly task: string;
  readonly text: string;
  readonly measurements: { readonly source: string; readonly text: string } | undefined;
}

async function listCandidates(
  folder: string,
  problems: string[],
  failures: FailureCandidate[],
): Promise<Candidate[]> {
  const root = existsSync(join(folder, 'runs')) ? join(folder, 'runs') : folder;
  if (!existsSync(root)) {
    problems.push(`${folder}: no such folder`);
    return [];
  }
  const candidates: Candidate[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) {
      problems.push(`${join(root, entry.name)}: expected only submission folders here`);
      continue;
    }
    const dir = join(root, entry.name);
    const files = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const file of files) {
      const path = join(dir, file.name);
      if (!file.isFile()) {
        problems.push(`${path}: not a regular file (links and folders are refused)`);
        continue;
      }
      if (file.name.endsWith('.measurements.json')) {
        continue;
      }
      if (file.name.endsWith('.failure.json')) {
        failures.push({
          source: path,
          slug: entry.name,
          task: basename(file.name, '.failure.json'),
          text: await readFile(path, 'utf8'),
        });
        continue;
      }
      if (!file.name.endsWith('.json')) {
        problems.push(`${path}: unexpected file; only <task>.json results belong here`);
        continue;
      }
      const task = basename(file.name, '.json');
      const measured = join(dir, `${task}.measurements.json`);
      candidates.push({
        source: path,
        slug: entry.name,
        task,
        text: await readFile(path, 'utf8'),
        measurements: existsSync(measured)
          ? { source: measured, text: await readFile(measured, 'utf8') }
          : undefined,
      });
    }
  }
  return candidates;
}

export async function mergeResults(options: MergeOptions): Promise<MergeSummary> {
  const plan = await prepareAndPlan({
    suiteId: options.suiteId,
    resultsDir: options.resultsDir,
    protocol: options.protocol,
    cacheDir: options.cacheDir,
    submissionsDir: options.submissionsDir,
    logger: options.logger,
  });
  const problems: string[] = [];
  const accepted = new Map<string, Candidate & { readonly fingerprint: string }>();
  const failures: FailureCandidate[] = [];

  for (const folder of options.from) {
    for (const candidate of await listCandidates(folder, problems, failures)) {
      const where = candidate.source;
      const submission = plan.allSubmissions.find((entry) => entry.slug === candidate.slug);
      const task = plan.allTasks.find((entry) => entry.id === candidate.task);
      if (!submission || !task) {
        problems.push(
          `${where}: ${submission ? `task "${candidate.task}" is not in suite ${plan.suite.id}` : `no submission "${candidate.slug}" in ${options.submissionsDir}`}`,
        );
        continue;
      }
      const parsed = await parseResultText(candidate.text, where);
      if (parsed.status === 'invalid') {
        problems.push(parsed.problem);
        continue;
      }
      const { result } = parsed;
      if (result.submission !== candidate.slug || result.task !== candidate.task) {
        problems.push(
          `${where}: the file is the result of ${result.submission} x ${result.task}, not of the folder it sits in`,
        );
        continue;
      }
      const locked = lockedShards(task, plan.lock);
      const expected =
        locked === undefined
          ? undefined
          : resultFingerprint(
              plan.protocol,
              submission,
              task,
              locked,
              result.provenance.embeddingPrecision,
              result.provenance.bootstrap.replicates,
            );
      if (!matchesInputs(parsed, expected)) {
        problems.push(
          `${where}: fingerprint ${result.fingerprint.slice(0, 12)} does not match the current inputs` +
            (expected === undefined
              ? ' (the lock file has no hashes for this task)'
              : ` (${expected.slice(0, 12)}): it was computed from another model, task version, data or engine`),
        );
        continue;
      }
      if (candidate.measurements) {
        try {
          const measurements = parseWithFriendlyErrors(
            TaskMeasurements,
            parseJsonText(candidate.measurements.text, candidate.measurements.source),
            candidate.measurements.source,
            'task measurements',
          );
          if (measurements.fingerprint !== result.fingerprint) {
            problems.push(
              `${candidate.measurements.source}: its fingerprint differs from the result beside it`,
            );
            continue;
          }
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
          continue;
        }
      }
      const key = `${candidate.slug} x ${candidate.task}`;
      const earlier = accepted.get(key);
      if (earlier && earlier.text !== candidate.text) {
        problems.push(
          `${where}: differs from ${earlier.source}, another copy of the same result; evaluation is deterministic, so one of them was altered`,
        );
        continue;
      }
      accepted.set(key, earlier ?? { ...candidate, fingerprint: result.fingerprint });
    }
  }

  const merged: string[] = [];
  const unchanged: string[] = [];
  const writes: { path: string; text: string }[] = [];
  for (const [key, candidate] of [...accepted].sort(([a], [b]) => a.localeCompare(b))) {
    const destination = resultFile(plan.protocolDir, candidate.slug, candidate.task);
    if (existsSync(destination)) {
      const current = await readFile(destination, 'utf8');
      if (current === candidate.text) {
        unchanged.push(key);
        continue;
      }
      const stored = (JSON.parse(current) as { fingerprint?: unknown }).fingerprint;
      if (stored === candidate.fingerprint) {
        problems.push(
          `${candidate.source}: differs from the stored ${destination} although both have the same fingerprint; refusing to overwrite it`,
        );
        continue;
      }
    }
    merged.push(key);
    writes.push({ path: destination, text: candidate.text });
    if (candidate.measurements) {
      writes.push({
        path: measurementsFile(plan.protocolDir, candidate.slug, candidate.task),
        text: candidate.measurements.text,
      });
    }
  }

  // A failure record goes along unless the pair has a result now; a merged result replaces it.
  for (const failure of failures) {
    const key = `${failure.slug} x ${failure.task}`;
    try {
      const record = parseWithFriendlyErrors(
        FailureRecord,
        parseJsonText(failure.text, failure.source),
        failure.source,
        'failure record',
      );
      if (record.submission !== failure.slug || record.task !== failure.task) {
        problems.push(
          `${failure.source}: the record of ${record.submission} x ${record.task}, not of its folder`,
        );
        continue;
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    const destination = resultFile(plan.protocolDir, failure.slug, failure.task);
    if (!accepted.has(key) && !existsSync(destination)) {
      writes.push({
        path: failureFile(plan.protocolDir, failure.slug, failure.task),
        text: failure.text,
      });
    }
  }

  if (problems.length > 0) {
    throw new PipelineError(
      'RESULT_INVALID',
      `refusing to merge: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was written\n  - ${problems.join('\n  - ')}`,
      {
        hint: 'merge only folders written by `evaluate --shard` of this commit; rerun the affected shards',
      },
    );
  }
  for (const write of writes) {
    await writeFileAtomic(write.path, write.text);
  }
  for (const key of merged) {
    const candidate = accepted.get(key) as Candidate;
    await rm(failureFile(plan.protocolDir, candidate.slug, candidate.task), { force: true });
  }
  await rebuildPlannedLeaderboard(plan, options.cacheDir);
  options.logger.info(
    `merged ${merged.length} results (${unchanged.length} already in place) from ${options.from.length} folder${options.from.length === 1 ? '' : 's'}; leaderboard rebuilt`,
  );
  return { merged, unchanged };
}

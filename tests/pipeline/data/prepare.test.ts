import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskDefinition, type TaskDefinitionInput } from '../../../schemas/task.ts';
import {
  discoverSplits,
  fetchRecordFiles,
  globToRegExp,
  isNumberedShard,
  leftOutNotes,
} from '../../../pipeline/data/discover.ts';
import {
  parseDataLocation,
  prepareTaskData,
  type PrepareOptions,
} from '../../../pipeline/data/prepare.ts';
import {
  lockFilePath,
  readShardLock,
  recordFirstSeenShardHashes,
} from '../../../pipeline/data/shard-lock.ts';
import { packTar } from '../../../pipeline/data/webdataset.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { getTask } from '../../../pipeline/tasks/registry.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { startFlakyServer, type FlakyServer } from '../../support/flaky-server.ts';

const base: TaskDefinitionInput = {
  id: 'toy',
  version: 1,
  name: 'Toy',
  description: 'A toy task served by a fake Zenodo.',
  domain: 'sound',
  dataset: { name: 'Toy' },
  type: 'clip',
  metric: 'accuracy',
  labels: { kind: 'single', key: 'label', classes: ['a', 'b'] },
  splits: {
    kind: 'standard',
    train: ['toy_train_0.tar', 'toy_train_1.tar'],
    valid: ['toy_test_0.tar'],
    test: ['toy_test_0.tar'],
  },
  source: {
    kind: 'zenodo',
    record: '123',
    filesVerified: true,
    xaresPatterns: { train: 'toy_train*.tar', valid: 'toy_test*.tar', test: 'toy_test*.tar' },
  },
  trackB: true,
  weight: 10,
};
const zenodoTask = TaskDefinition.parse(base);

let server: FlakyServer;
let shards: Record<string, Uint8Array>;
let cacheDir: string;

beforeEach(async () => {
  shards = {};
  for (const name of ['toy_train_0.tar', 'toy_train_1.tar', 'toy_test_0.tar']) {
    shards[name] = await packTar([
      {
        name: `${name}.json`,
        bytes: new TextEncoder().encode(JSON.stringify({ label: 'a', name })),
      },
    ]);
  }
  const files: Record<string, Uint8Array | string> = Object.fromEntries(
    Object.entries(shards).map(([name, bytes]) => [`/records/123/files/${name}`, bytes]),
  );
  files['/private/subway_broadcast/subway_broadcast_0.tar'] = shards['toy_train_0.tar'] ?? '';
  files['/api/records/123'] = JSON.stringify({
    files: [...Object.keys(shards), 'toy_train_2k_0.tar', 'README.md'].map((key) => ({
      key,
      size: 1,
      checksum: 'md5:0',
    })),
  });
  server = await startFlakyServer(files);
  cacheDir = await mkdtemp(join(tmpdir(), 'prepare-'));
});

afterEach(() => server.close());

function options(overrides: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    cacheDir,
    suiteId: 'test',
    lock: { shards: {} },
    lockFile: 'pipeline/suites/test.lock.json',
    logger: createMemoryLogger(),
    zenodoUrl: server.url,
    allowLoopbackHttp: true,
    sleep: () => Promise.resolve(),
    ...overrides,
  };
}

describe('prepareTaskData for a Zenodo task', () => {
  it('downloads every shard once and records first-seen hashes for the lock file', async () => {
    const data = await prepareTaskData(zenodoTask, options());
    expect(data.status).toBe('ready');
    if (data.status !== 'ready') {
      return;
    }
    const expected = Object.fromEntries(
      Object.entries(shards).map(([name, bytes]) => [name, sha256Bytes(bytes)]),
    );
    expect(data.shards).toEqual(expected);
    expect(data.newlyLocked).toEqual(
      Object.fromEntries(Object.entries(expected).map(([name, hash]) => [`toy/${name}`, hash])),
    );
    expect(server.requests.map((request) => request.path).sort()).toEqual(
      Object.keys(shards)
        .map((name) => `/records/123/files/${name}`)
        .sort(),
    );
  });

  it('downloads a record two tasks share once (the two LibriSpeech tasks)', async () => {
    const sibling = TaskDefinition.parse({ ...base, id: 'toy_sibling', name: 'Toy sibling' });
    const first = await prepareTaskData(zenodoTask, options());
    const second = await prepareTaskData(sibling, options());
    expect(second.status === 'ready' && second.shards).toEqual(
      first.status === 'ready' && first.shards,
    );
    expect(second.status === 'ready' && Object.keys(second.newlyLocked).sort()).toEqual(
      Object.keys(shards)
        .map((name) => `toy_sibling/${name}`)
        .sort(),
    );
    expect(server.requests).toHaveLength(Object.keys(shards).length);
  });

  it('enforces locked hashes: a corrupt cached shard is fetched again', async () => {
    const first = await prepareTaskData(zenodoTask, options());
    if (first.status !== 'ready') {
      throw new Error('not ready');
    }
    const lock = { shards: { ...first.newlyLocked } };
    const victim = join(first.dir, 'toy_train_1.tar');
    const bytes = await readFile(victim);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    await writeFile(victim, bytes);
    const logger = createMemoryLogger();
    const second = await prepareTaskData(zenodoTask, options({ lock, logger }));
    expect(second.status === 'ready' && second.shards).toEqual(first.shards);
    expect(second.status === 'ready' && second.newlyLocked).toEqual({});
    expect(
      logger.lines.some(
        (line) =>
          line.includes('toy/toy_train_1.tar: cached shard has sha256') &&
          line.includes('fetching it again'),
      ),
    ).toBe(true);
  });

  it('rejects a download that does not match the locked hash, naming the shard', async () => {
    const lock = { shards: { 'toy/toy_train_0.tar': 'f'.repeat(64) } };
    await expect(prepareTaskData(zenodoTask, options({ lock }))).rejects.toThrow(
      `toy/toy_train_0.tar: sha256 mismatch: expected ${'f'.repeat(64)}`,
    );
  });

  it('refuses a task whose shard lists were not verified, and says how to fix it', async () => {
    const unverified = TaskDefinition.parse({
      ...base,
      splits: { kind: 'standard', train: [], valid: [], test: [] },
      source: { ...base.source, filesVerified: false },
    });
    await expect(prepareTaskData(unverified, options())).rejects.toThrow(
      'toy: the shard lists are not verified against Zenodo record 123',
    );
  });
});

describe('prepareTaskData for a private task', () => {
  const privateTask = TaskDefinition.parse({
    ...getTask('subway_broadcast'),
    splits: {
      kind: 'standard',
      train: ['subway_broadcast_0.tar'],
      valid: ['subway_broadcast_0.tar'],
      test: ['subway_broadcast_0.tar'],
    },
  });

  it('is skipped, not failed, when the location is not configured', async () => {
    expect(await prepareTaskData(privateTask, options({ environment: {} }))).toEqual({
      status: 'skipped',
      reason: 'private data not available (LEADERBOARD_PRIVATE_DATA_URL is not set)',
    });
  });

  it('downloads with the token and never prints the location or the token', async () => {
    const logger = createMemoryLogger();
    const environment = {
      LEADERBOARD_PRIVATE_DATA_URL: `${server.url}/private`,
      LEADERBOARD_PRIVATE_DATA_TOKEN: 'secret-token',
    };
    const data = await prepareTaskData(privateTask, options({ environment, logger }));
    expect(data.status).toBe('ready');
    expect(server.requests[0]?.authorization).toBe('Bearer secret-token');
    const printed = logger.lines.join('\n');
    expect(printed).not.toContain('secret-token');
    expect(printed).not.toContain(server.url);
  });

  it('names the shard, not the secret URL, when a download fails', async () => {
    const environment = {
      LEADERBOARD_PRIVATE_DATA_URL: `${server.url}/nowhere`,
      LEADERBOARD_PRIVATE_DATA_TOKEN: 'secret-token',
    };
    const failure = await prepareTaskData(privateTask, options({ environment })).catch(
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure instanceof Error ? failure.message : '').toBe(
      'subway_broadcast/subway_broadcast_0.tar: download failed with HTTP 404',
    );
  });
});

describe('the private-data location', () => {
  const privateTask = TaskDefinition.parse({
    ...getTask('subway_broadcast'),
    splits: {
      kind: 'standard',
      train: ['subway_broadcast_0.tar'],
      valid: ['subway_broadcast_0.tar'],
      test: ['subway_broadcast_0.tar'],
    },
  });
  // Like an organiser's server: plain http on a loopback address, without the tests' exception.
  const organiserOptions = (environment: Record<string, string>) =>
    options({ environment, allowLoopbackHttp: false });

  it('reads absolute folders and file:// URLs as folders, and http(s) URLs as servers', () => {
    expect(parseDataLocation('/srv/data')).toEqual({ kind: 'folder', path: '/srv/data' });
    expect(parseDataLocation('file:///srv/leaderboard%20data')).toEqual({
      kind: 'folder',
      path: '/srv/leaderboard data',
    });
    expect(parseDataLocation('https://data.example/private')).toEqual({
      kind: 'url',
      url: 'https://data.example/private',
    });
    expect(() => parseDataLocation('data/private')).toThrow(
      'LEADERBOARD_PRIVATE_DATA_URL is neither an absolute folder, a file:// URL nor an http(s) URL',
    );
    expect(() => parseDataLocation('file://host/srv')).toThrow(/not a valid file:\/\/ URL/);
  });

  it('refuses a server on a private or loopback address unless the organiser opts in', async () => {
    const environment = { LEADERBOARD_PRIVATE_DATA_URL: `${server.url}/private` };
    await expect(prepareTaskData(privateTask, organiserOptions(environment))).rejects.toThrow(
      'subway_broadcast/subway_broadcast_0.tar: only https downloads are allowed',
    );
    const data = await prepareTaskData(
      privateTask,
      organiserOptions({ ...environment, LEADERBOARD_ALLOW_PRIVATE_NETWORK: '1' }),
    );
    expect(data.status).toBe('ready');
  });

  it('keeps the opt-in away from Zenodo downloads', async () => {
    const environment = { LEADERBOARD_ALLOW_PRIVATE_NETWORK: '1', ZENODO_URL: server.url };
    const { zenodoUrl: _fromEnvironment, ...rest } = organiserOptions(environment);
    await expect(prepareTaskData(zenodoTask, rest)).rejects.toThrow(
      'toy/toy_train_0.tar: only https downloads are allowed',
    );
  });

  it('reads a folder in place and names a missing shard with the folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'organiser-data-'));
    const environment = { LEADERBOARD_PRIVATE_DATA_URL: folder };
    await expect(prepareTaskData(privateTask, options({ environment }))).rejects.toThrow(
      `subway_broadcast: 1 of 1 shards missing in ${join(folder, 'subway_broadcast')}: subway_broadcast_0.tar`,
    );
    await mkdir(join(folder, 'subway_broadcast'));
    await writeFile(
      join(folder, 'subway_broadcast', 'subway_broadcast_0.tar'),
      shards['toy_train_0.tar'] ?? new Uint8Array(),
    );
    const data = await prepareTaskData(privateTask, options({ environment }));
    expect(data).toEqual({
      status: 'ready',
      dir: join(folder, 'subway_broadcast'),
      shards: { 'subway_broadcast_0.tar': sha256Bytes(shards['toy_train_0.tar'] ?? '') },
      newlyLocked: {
        'subway_broadcast/subway_broadcast_0.tar': sha256Bytes(shards['toy_train_0.tar'] ?? ''),
      },
    });
    expect(server.requests).toEqual([]);
  });
});

describe('data discover', () => {
  it('turns X-ARES globs into explicit sorted lists, leaving out mini-set files the globs match', async () => {
    const files = await fetchRecordFiles(server.url, '123');
    const discovery = discoverSplits(zenodoTask, files);
    expect(discovery.splits).toEqual({
      kind: 'standard',
      train: ['toy_train_0.tar', 'toy_train_1.tar'],
      valid: ['toy_test_0.tar'],
      test: ['toy_test_0.tar'],
    });
    expect(discovery.leftOut).toEqual([
      { name: 'toy_train_2k_0.tar', group: 'train', pattern: 'toy_train*.tar' },
    ]);
    expect(leftOutNotes(discovery)).toEqual([
      'toy_train_2k_0.tar: X-ARES\'s train glob "toy_train*.tar" also matches it, so X-ARES would have read it too; it is not one of the split\'s numbered shards (a mini set), so the list leaves it out',
    ]);
    expect(discovery.warnings).toEqual([]);
  });

  it("tells numbered shards from mini-set files by what the glob's * matched", () => {
    expect(isNumberedShard('nsynth_train*.tar', 'nsynth_train_0000012.tar')).toBe(true);
    expect(isNumberedShard('nsynth_train*.tar', 'nsynth_train_sub55k_0000000.tar')).toBe(false);
    expect(isNumberedShard('train_subset*.tar', 'train_subset_2k_0000001.tar')).toBe(false);
    expect(isNumberedShard('train-clean-100*.tar', 'train-clean-100-000000.tar')).toBe(true);
    expect(isNumberedShard('wds-audio-fold-1-*.tar', 'wds-audio-fold-1-000003.tar')).toBe(true);
    expect(isNumberedShard('dev*.tar', 'dev-clean-000000.tar')).toBe(false);
    expect(isNumberedShard('gtzan_fold_0_0000000.tar', 'gtzan_fold_0_0000000.tar')).toBe(true);
  });

  it('warns when a pattern matches nothing', () => {
    const discovery = discoverSplits(getTask('gtzan_genre'), [
      { key: 'gtzan_fold_0_0000000.tar', size: 1 },
    ]);
    expect(discovery.warnings).toHaveLength(9);
    expect(discovery.warnings[0]).toBe(
      'gtzan_genre: "gtzan_fold_1_0000000.tar" (1) matches no file of record 14722472',
    );
  });

  it('translates globs literally apart from * and ?', () => {
    expect(globToRegExp('wds-audio-fold-1-*.tar').test('wds-audio-fold-1-000003.tar')).toBe(true);
    expect(globToRegExp('wds-audio-fold-1-*.tar').test('wds-audio-fold-10-000003.tar')).toBe(false);
    expect(globToRegExp('a.tar').test('aXtar')).toBe(false);
  });
});

it('keeps downloads inside the cache folder', () => {
  expect(existsSync(join(cacheDir, '..', 'toy_train_0.tar'))).toBe(false);
});

describe('recordFirstSeenShardHashes', () => {
  // The lock file of a suite lives beside the suites; a suite id of this test alone keeps it apart.
  const suiteId = `record-test-${process.pid}`;
  afterEach(async () => {
    await rm(lockFilePath(suiteId), { force: true });
  });

  it('adds only hashes the lock lacks, keeps the others, and says so once', async () => {
    const known = 'a'.repeat(64);
    const lock = { shards: { 'toy/old.tar': known } };
    const logger = createMemoryLogger();
    const added = await recordFirstSeenShardHashes(
      lockFilePath(suiteId),
      lock,
      { 'toy/old.tar': 'b'.repeat(64), 'toy/new.tar': 'c'.repeat(64) },
      logger,
    );
    expect(added).toBe(1);
    expect(await readShardLock(lockFilePath(suiteId))).toEqual({
      shards: { 'toy/new.tar': 'c'.repeat(64), 'toy/old.tar': known },
    });
    expect(logger.lines).toEqual([
      `recorded 1 first-seen shard hashes in ${lockFilePath(suiteId)}; commit it so later runs enforce them`,
    ]);
  });

  it('writes and says nothing when every hash is known', async () => {
    const logger = createMemoryLogger();
    const lock = { shards: { 'toy/old.tar': 'a'.repeat(64) } };
    expect(
      await recordFirstSeenShardHashes(
        lockFilePath(suiteId),
        lock,
        { 'toy/old.tar': 'a'.repeat(64) },
        logger,
      ),
    ).toBe(0);
    expect(existsSync(lockFilePath(suiteId))).toBe(false);
    expect(logger.lines).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { download, downloadPinned, retryAfterMs } from '../../../pipeline/data/download.ts';
import { DataError } from '../../../pipeline/errors.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { startFlakyServer, type FlakyServer } from '../../helpers/flaky-server.ts';

const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
const sha256 = sha256Bytes(body);
let server: FlakyServer;
let dir: string;
const waits: number[] = [];
const sleep = (milliseconds: number) => {
  waits.push(milliseconds);
  return Promise.resolve();
};

beforeEach(async () => {
  server = await startFlakyServer({ '/shard.tar': body });
  dir = await mkdtemp(join(tmpdir(), 'download-'));
  waits.length = 0;
});

afterEach(() => server.close());

const request = (overrides = {}) => ({
  url: `${server.url}/shard.tar`,
  destination: join(dir, 'shard.tar'),
  maxBytes: 1_000_000,
  allowLoopbackHttp: true,
  sleep,
  ...overrides,
});

describe('download', () => {
  it('downloads, hashes and moves the file into place', async () => {
    const result = await download(request({ sha256 }));
    expect(result).toEqual({ sha256, sizeBytes: body.length, requests: 1 });
    expect(await readFile(join(dir, 'shard.tar'))).toEqual(Buffer.from(body));
    expect(await readdir(dir)).toEqual(['shard.tar']);
  });

  it('resumes with a Range request after the connection drops, and the result is intact', async () => {
    server.faults = [{ kind: 'drop-after', bytes: 70_000 }];
    const result = await download(request({ sha256 }));
    expect(result.requests).toBe(2);
    expect(server.requests.map((entry) => entry.range)).toEqual([undefined, 'bytes=70000-']);
    expect(await readFile(join(dir, 'shard.tar'))).toEqual(Buffer.from(body));
  });

  it('starts over when the server ignores the Range request', async () => {
    server.faults = [{ kind: 'drop-after', bytes: 50_000 }, { kind: 'ignore-range' }];
    const result = await download(request({ sha256 }));
    expect(result.sizeBytes).toBe(body.length);
    expect(await readFile(join(dir, 'shard.tar'))).toEqual(Buffer.from(body));
  });

  it('retries 429 and 503 with backoff, honouring Retry-After', async () => {
    server.faults = [
      { kind: 'status', status: 429, retryAfter: '7' },
      { kind: 'status', status: 503 },
    ];
    const result = await download(request({ sha256, backoffMs: 100 }));
    expect(result.requests).toBe(3);
    expect(waits).toEqual([7000, 200]);
  });

  it('rejects a checksum mismatch, fetches again, and succeeds when the second copy is right', async () => {
    server.faults = [{ kind: 'corrupt' }];
    const result = await download(request({ sha256 }));
    expect(result.requests).toBe(2);
    expect(await readFile(join(dir, 'shard.tar'))).toEqual(Buffer.from(body));
  });

  it('fails on a persistent checksum mismatch and leaves nothing behind', async () => {
    server.faults = [{ kind: 'corrupt' }, { kind: 'corrupt' }, { kind: 'corrupt' }];
    const attempt = download(request({ sha256 }));
    await expect(attempt).rejects.toThrow(DataError);
    await expect(download(request({ sha256 }))).resolves.toBeDefined();
    server.faults = [{ kind: 'corrupt' }, { kind: 'corrupt' }];
    const again = download(request({ sha256, destination: join(dir, 'other.tar') }));
    await expect(again).rejects.toThrow(`sha256 mismatch: expected ${sha256}, got `);
    expect(existsSync(join(dir, 'other.tar'))).toBe(false);
    expect((await readdir(dir)).filter((name) => name.includes('.part'))).toEqual([]);
  });

  it('stops at the size cap', async () => {
    await expect(download(request({ maxBytes: 1000 }))).rejects.toThrow(
      'the server announces 200000 bytes but at most 1000 are allowed',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives up after the last attempt with the reason', async () => {
    server.faults = Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 }));
    await expect(download(request({ attempts: 3 }))).rejects.toThrow(
      `${server.url}/shard.tar: download failed after 3 attempts (HTTP 500)`,
    );
  });

  it('fails at once on a 404, and names the label instead of the URL', async () => {
    await expect(
      download(request({ url: `${server.url}/missing.tar`, label: 'task/missing.tar' })),
    ).rejects.toThrow('task/missing.tar: download failed with HTTP 404');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses plain http outside loopback tests', async () => {
    await expect(
      download({ url: 'http://example.org/x.tar', destination: join(dir, 'x'), maxBytes: 10 }),
    ).rejects.toThrow('only https downloads are allowed');
  });

  it('sends the given headers (a private-data token)', async () => {
    await download(request({ headers: { authorization: 'Bearer secret-token' } }));
    expect(server.requests[0]?.authorization).toBe('Bearer secret-token');
  });
});

describe('downloadPinned', () => {
  it('skips the network when a verified copy exists', async () => {
    const destination = join(dir, 'model.onnx');
    await downloadPinned({
      url: `${server.url}/shard.tar`,
      sha256,
      sizeBytes: body.length,
      destination,
      allowLoopbackHttp: true,
    });
    await server.close();
    await downloadPinned({
      url: `${server.url}/shard.tar`,
      sha256,
      sizeBytes: body.length,
      destination,
      allowLoopbackHttp: true,
    });
    server = await startFlakyServer({});
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(
      retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

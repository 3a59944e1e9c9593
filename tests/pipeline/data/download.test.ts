import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { download, downloadPinned, retryAfterMs } from '../../../pipeline/data/download.ts';
import { isInternalAddress } from '../../../pipeline/data/safe-fetch.ts';
import { DataError } from '../../../pipeline/errors.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { startFlakyServer, type FlakyServer } from '../../support/flaky-server.ts';

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
    // The resume is conditional on the file being the one already half fetched.
    expect(server.requests.map((entry) => entry.ifRange)).toEqual([undefined, '"v1"']);
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

  it('stops a body without a length at the cap while streaming, leaving nothing behind', async () => {
    server.faults = [{ kind: 'no-length' }];
    const error = await download(request({ maxBytes: 50_000, attempts: 1 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(/more than 50000 bytes; download stopped/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses plain http outside loopback tests', async () => {
    await expect(
      download({ url: 'http://example.org/x.tar', destination: join(dir, 'x'), maxBytes: 10 }),
    ).rejects.toThrow('only https downloads are allowed');
  });

  it.each([
    ['a cloud metadata endpoint', 'https://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['a private network', 'https://10.0.0.7/shard.tar', '10.0.0.7'],
    ['an IPv4-mapped loopback address', 'https://[::ffff:127.0.0.1]/x', '::ffff:7f00:1'],
  ])('refuses a redirect to %s before requesting it', async (_what, location, address) => {
    server.faults = [{ kind: 'redirect', location }];
    const error = await download(request({ sha256 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain(
      `refused a request to ${new URL(location).host}, a private, loopback or link-local address (${address})`,
    );
    expect(server.requests).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a URL that names an internal address outright', async () => {
    await expect(
      download(request({ url: 'https://169.254.169.254/latest/meta-data/iam' })),
    ).rejects.toThrow(
      'refused a request to 169.254.169.254, a private, loopback or link-local address',
    );
    expect(server.requests).toEqual([]);
  });

  it('refuses a redirect to plain http', async () => {
    server.faults = [{ kind: 'redirect', location: 'http://example.org/shard.tar' }];
    await expect(download(request({ sha256 }))).rejects.toThrow('only https downloads are allowed');
  });

  it('follows a redirect on the same host with the token, and drops the token for another host', async () => {
    server.files.set('/moved.tar', body);
    server.faults = [{ kind: 'redirect', location: '/moved.tar' }];
    await download(request({ sha256, headers: { authorization: 'Bearer secret-token' } }));
    expect(server.requests.map((entry) => [entry.path, entry.authorization])).toEqual([
      ['/shard.tar', 'Bearer secret-token'],
      ['/moved.tar', 'Bearer secret-token'],
    ]);
    // The same server under another name is another host: the token stays behind.
    server.requests.length = 0;
    const port = new URL(server.url).port;
    server.faults = [{ kind: 'redirect', location: `http://localhost:${port}/moved.tar` }];
    await download(
      request({
        sha256,
        destination: join(dir, 'again.tar'),
        headers: { authorization: 'Bearer secret-token' },
      }),
    );
    expect(server.requests.map((entry) => entry.authorization)).toEqual([
      'Bearer secret-token',
      undefined,
    ]);
  });

  it('gives up after too many redirects', async () => {
    server.faults = Array.from({ length: 7 }, () => ({
      kind: 'redirect' as const,
      location: '/shard.tar',
    }));
    await expect(download(request({ sha256 }))).rejects.toThrow('more than 5 redirects');
  });

  it('sends the given headers (a private-data token)', async () => {
    await download(request({ headers: { authorization: 'Bearer secret-token' } }));
    expect(server.requests[0]?.authorization).toBe('Bearer secret-token');
  });
});

describe('downloadPinned', () => {
  it('skips the network when a verified copy exists', async () => {
    const destination = join(dir, 'model.onnx');
    const pin = {
      url: `${server.url}/shard.tar`,
      sha256,
      sizeBytes: body.length,
      destination,
      allowLoopbackHttp: true,
    };
    await downloadPinned(pin);
    expect(server.requests).toHaveLength(1);
    // With the server gone, any request would fail: only the local copy can satisfy the pin.
    await server.close();
    try {
      await expect(downloadPinned(pin)).resolves.toBeUndefined();
      expect(await readFile(destination)).toEqual(Buffer.from(body));
    } finally {
      // afterEach closes the shared server, so it must be running again whatever happened here.
      server = await startFlakyServer({});
    }
  });

  it('downloads again when the local copy does not match the pin', async () => {
    const destination = join(dir, 'model.onnx');
    await writeFile(destination, 'a damaged copy');
    await downloadPinned({
      url: `${server.url}/shard.tar`,
      sha256,
      sizeBytes: body.length,
      destination,
      allowLoopbackHttp: true,
    });
    expect(server.requests).toHaveLength(1);
    expect(await readFile(destination)).toEqual(Buffer.from(body));
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

describe('isInternalAddress', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['127.0.0.1', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['8.8.8.8', false],
    ['188.185.43.25', false],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['[::ffff:10.0.0.1]', true],
    ['::ffff:a00:1', true],
    ['::ffff:808:808', false],
    ['2001:db8::1', false],
    ['zenodo.org', false],
  ])('%s -> %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});

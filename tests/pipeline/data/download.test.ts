import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPinned } from '../../../pipeline/data/download.ts';
import { DataError } from '../../../pipeline/errors.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { serveDirectory, type StaticServer } from '../../helpers/static-server.ts';

let root: string;
let server: StaticServer;
const body = new TextEncoder().encode('pretend this is an ONNX file '.repeat(100));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'download-'));
  await writeFile(join(root, 'model.onnx'), body);
  server = await serveDirectory(root);
});

afterAll(() => server.close());

describe('downloadPinned', () => {
  it('downloads when size and sha256 match, and skips a verified file next time', async () => {
    const destination = join(root, 'cache', 'ok.onnx');
    await downloadPinned({
      url: `${server.url}/model.onnx`,
      sha256: sha256Bytes(body),
      sizeBytes: body.byteLength,
      destination,
      allowLoopbackHttp: true,
    });
    expect(existsSync(destination)).toBe(true);
    await server.close();
    // The server is down now: a second call must not need it.
    await downloadPinned({
      url: `${server.url}/model.onnx`,
      sha256: sha256Bytes(body),
      sizeBytes: body.byteLength,
      destination,
      allowLoopbackHttp: true,
    });
    server = await serveDirectory(root);
  });

  it('rejects a hash mismatch and leaves nothing behind', async () => {
    const destination = join(root, 'cache', 'bad.onnx');
    const attempt = downloadPinned({
      url: `${server.url}/model.onnx`,
      sha256: 'f'.repeat(64),
      sizeBytes: body.byteLength,
      destination,
      allowLoopbackHttp: true,
    });
    await expect(attempt).rejects.toThrow(
      `sha256 mismatch: expected ${'f'.repeat(64)}, got ${sha256Bytes(body)}`,
    );
    expect((await readdir(join(root, 'cache'))).filter((name) => name.startsWith('bad'))).toEqual(
      [],
    );
  });

  it('stops at the pinned size', async () => {
    const attempt = downloadPinned({
      url: `${server.url}/model.onnx`,
      sha256: sha256Bytes(body),
      sizeBytes: 100,
      destination: join(root, 'cache', 'small.onnx'),
      allowLoopbackHttp: true,
    });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      `the server announces ${body.byteLength} bytes but 100 are expected`,
    );
  });

  it('stops a body that runs past the pinned size when no length is announced', async () => {
    const endless = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.alloc(5000));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const { port } = endless.address() as AddressInfo;
    const destination = join(root, 'cache', 'endless.onnx');
    const attempt = downloadPinned({
      url: `http://127.0.0.1:${port}/x.onnx`,
      sha256: 'a'.repeat(64),
      sizeBytes: 100,
      destination,
      allowLoopbackHttp: true,
    });
    await expect(attempt).rejects.toThrow('more than the expected 100 bytes; download stopped');
    expect(existsSync(destination)).toBe(false);
    endless.close();
  });

  it('refuses plain http outside tests, and missing files', async () => {
    await expect(
      downloadPinned({
        url: 'http://example.org/model.onnx',
        sha256: 'a'.repeat(64),
        sizeBytes: 1,
        destination: join(root, 'x'),
      }),
    ).rejects.toThrow('only https downloads are allowed');
    await expect(
      downloadPinned({
        url: `${server.url}/missing.onnx`,
        sha256: 'a'.repeat(64),
        sizeBytes: 1,
        destination: join(root, 'y'),
        allowLoopbackHttp: true,
      }),
    ).rejects.toThrow('download failed with HTTP 404');
  });
});

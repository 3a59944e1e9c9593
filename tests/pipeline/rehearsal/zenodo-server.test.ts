import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchRecordFiles } from '../../../pipeline/data/discover.ts';
import { download } from '../../../pipeline/data/download.ts';
import { startLocalZenodo, type LocalZenodo } from '../../../pipeline/rehearsal/zenodo-server.ts';

let root: string;
let zenodo: LocalZenodo;
const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 251));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zenodo-'));
  await mkdir(join(root, '42'));
  await writeFile(join(root, '42', 'a_0000000.tar'), bytes);
  await writeFile(join(root, '42', 'b.tar'), 'small');
  zenodo = await startLocalZenodo(root, new Map([['/extra/vocab.txt', Buffer.from('[PAD]\n')]]));
});

afterEach(() => zenodo.close());

describe("the rehearsal's local Zenodo", () => {
  it('lists a record as Zenodo does: key, size and md5 checksum of each file', async () => {
    expect(zenodo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const files = await fetchRecordFiles(zenodo.url, '42');
    expect(files).toEqual([
      {
        key: 'a_0000000.tar',
        size: bytes.length,
        checksum: `md5:${createHash('md5').update(bytes).digest('hex')}`,
      },
      { key: 'b.tar', size: 5, checksum: `md5:${createHash('md5').update('small').digest('hex')}` },
    ]);
    await expect(fetchRecordFiles(zenodo.url, '43')).rejects.toThrow(/HTTP 404/);
  });

  it('serves byte ranges while If-Range matches, and the whole file once it does not', async () => {
    const url = `${zenodo.url}/records/42/files/a_0000000.tar?download=1`;
    const whole = await fetch(url);
    const etag = whole.headers.get('etag') ?? '';
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
    const part = await fetch(url, { headers: { range: 'bytes=1000-', 'if-range': etag } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes 1000-${bytes.length - 1}/${bytes.length}`,
    );
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(1000));
    const changed = await fetch(url, { headers: { range: 'bytes=1000-', 'if-range': '"other"' } });
    expect(changed.status).toBe(200);
    expect((await changed.arrayBuffer()).byteLength).toBe(bytes.length);
    expect((await fetch(`${zenodo.url}/records/42/files/..%2F42%2Fb.tar`)).status).toBe(404);
    expect((await fetch(`${zenodo.url}/extra/vocab.txt`)).status).toBe(200);
  });

  it("resumes a broken download through the pipeline's own download code", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'zenodo-download-'));
    const destination = join(folder, 'a_0000000.tar');
    const url = `${zenodo.url}/records/42/files/a_0000000.tar?download=1`;
    // A first attempt that stopped after 20,000 bytes, as a dropped connection leaves it.
    await writeFile(`${destination}.part`, bytes.subarray(0, 20_000));
    const etag = (await fetch(url, { method: 'GET' })).headers.get('etag') ?? '';
    await writeFile(`${destination}.part.json`, JSON.stringify({ url, validator: etag }));
    const before = zenodo.requests.ranges;
    const result = await download({ url, destination, maxBytes: 1e6, allowLoopbackHttp: true });
    expect(await readFile(destination)).toEqual(bytes);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(zenodo.requests.ranges).toBe(before + 1);
  });
});

/**
 * A local Zenodo for the rehearsal: the two parts of Zenodo's API the pipeline uses, serving a
 * generated rehearsal folder (`<root>/<record>/<file>`) on 127.0.0.1 only.
 *
 * - `GET /api/records/<id>`: the record's files, each with its key, size and "md5:<hex>"
 *   checksum, as Zenodo lists them (data discover reads this);
 * - `GET /records/<id>/files/<key>`: the file, with an ETag, and byte ranges (`Range:
 *   bytes=<from>-`, honoured only while `If-Range` still matches), so interrupted downloads
 *   resume as they do against zenodo.org.
 *
 * Nothing else is served; names are looked up in the listing, never joined onto a path.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface LocalZenodo {
  /** `http://127.0.0.1:<port>`: what ZENODO_URL would be. */
  readonly url: string;
  /** Requests served, for the rehearsal's report and the tests. */
  readonly requests: { listings: number; downloads: number; ranges: number };
  close(): Promise<void>;
}

interface ServedFile {
  readonly key: string;
  readonly path: string;
  readonly size: number;
  readonly md5: string;
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function listRecords(root: string): Promise<Map<string, ServedFile[]>> {
  const records = new Map<string, ServedFile[]>();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) {
      continue;
    }
    const files: ServedFile[] = [];
    for (const name of (await readdir(join(root, entry.name))).sort()) {
      const path = join(root, entry.name, name);
      files.push({ key: name, path, size: (await stat(path)).size, md5: await md5File(path) });
    }
    records.set(entry.name, files);
  }
  return records;
}

function send(response: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/**
 * Serve `root` on 127.0.0.1 until `close()`. The listing is read once, at start. `extra` serves
 * fixed bytes at other paths (the rehearsal's WordPiece vocabulary, which replaces
 * bert-base-uncased's where no model hub is reachable).
 */
export async function startLocalZenodo(
  root: string,
  extra: ReadonlyMap<string, Uint8Array> = new Map(),
): Promise<LocalZenodo> {
  const records = await listRecords(root);
  const requests = { listings: 0, downloads: 0, ranges: 0 };
  let base = '';
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const listing = /^\/api\/records\/(\d+)$/.exec(url.pathname);
    if (request.method !== 'GET') {
      send(response, 405, 'only GET');
      return;
    }
    const fixed = extra.get(url.pathname);
    if (fixed) {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': fixed.length });
      response.end(fixed);
      return;
    }
    if (listing) {
      const files = records.get(listing[1] as string);
      if (!files) {
        send(
          response,
          404,
          JSON.stringify({ status: 404, message: 'PID does not exist.' }),
          'application/json',
        );
        return;
      }
      requests.listings += 1;
      const body = {
        id: Number(listing[1]),
        files: files.map((file) => ({
          key: file.key,
          size: file.size,
          checksum: `md5:${file.md5}`,
          links: { self: `${base}/records/${listing[1]}/files/${encodeURIComponent(file.key)}` },
        })),
      };
      send(response, 200, JSON.stringify(body), 'application/json');
      return;
    }
    const download = /^\/records\/(\d+)\/files\/([^/]+)$/.exec(url.pathname);
    const file = download
      ? records
          .get(download[1] as string)
          ?.find((entry) => entry.key === decodeURIComponent(download[2] as string))
      : undefined;
    if (!file) {
      send(response, 404, 'not found');
      return;
    }
    requests.downloads += 1;
    const etag = `"${file.md5}"`;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    const from = range && (ifRange === undefined || ifRange === etag) ? Number(range[1]) : 0;
    if (from >= file.size && from > 0) {
      response.writeHead(416, { 'content-range': `bytes */${file.size}` });
      response.end();
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'content-length': file.size - from,
      'accept-ranges': 'bytes',
      etag,
    };
    if (from > 0) {
      requests.ranges += 1;
      headers['content-range'] = `bytes ${from}-${file.size - 1}/${file.size}`;
    }
    response.writeHead(from > 0 ? 206 : 200, headers);
    createReadStream(file.path, { start: from }).pipe(response);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) {
            reject(error);
          } else {
            resolve();
          }
        });
      }),
  };
}

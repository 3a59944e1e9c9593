/**
 * Downloads pinned by size and sha256: https only, the body streamed to a temporary file while it
 * is hashed and counted, stopped as soon as it exceeds the expected size, and moved into place
 * only when size and hash both match. Nothing partial or unverified ever reaches the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataError, errorMessage } from '../errors.ts';
import { sha256File } from '../util/hash.ts';

export interface PinnedDownload {
  readonly url: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Final path; written only after verification. */
  readonly destination: string;
  /** Tests serve files from a local http server; nothing else may use plain http. */
  readonly allowLoopbackHttp?: boolean;
}

function checkUrl(raw: string, allowLoopbackHttp: boolean): URL {
  const url = new URL(raw);
  const loopback =
    url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(allowLoopbackHttp && url.protocol === 'http:' && loopback)) {
    throw new DataError(`${raw}: only https downloads are allowed`);
  }
  return url;
}

/** Download `url` to `destination` unless a file with the pinned hash is already there. */
export async function downloadPinned(download: PinnedDownload): Promise<void> {
  const { url, sha256, sizeBytes, destination } = download;
  if (existsSync(destination) && (await sha256File(destination)) === sha256) {
    return;
  }
  const allowLoopbackHttp = download.allowLoopbackHttp ?? false;
  checkUrl(url, allowLoopbackHttp);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new DataError(`${url}: download failed (${errorMessage(error)})`, { cause: error });
  }
  // Redirects may only lead to another allowed URL.
  checkUrl(response.url || url, allowLoopbackHttp);
  if (!response.ok || !response.body) {
    throw new DataError(`${url}: download failed with HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > sizeBytes) {
    await response.body.cancel();
    throw new DataError(
      `${url}: the server announces ${declared} bytes but ${sizeBytes} are expected`,
    );
  }

  await mkdir(dirname(destination), { recursive: true });
  const partial = `${destination}.${process.pid}.part`;
  const hash = createHash('sha256');
  let received = 0;
  const reader = response.body.getReader();
  const file = await open(partial, 'w');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      received += value.byteLength;
      if (received > sizeBytes) {
        await reader.cancel();
        throw new DataError(`${url}: more than the expected ${sizeBytes} bytes; download stopped`);
      }
      hash.update(value);
      await file.write(value);
    }
    await file.sync();
    await file.close();
    if (received !== sizeBytes) {
      throw new DataError(`${url}: received ${received} bytes but ${sizeBytes} are expected`);
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new DataError(`${url}: sha256 mismatch: expected ${sha256}, got ${actual}`, {
        hint: 'the file at the URL is not the one the manifest pins; fix the URL or the sha256',
      });
    }
    await rename(partial, destination);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    if (error instanceof DataError) {
      throw error;
    }
    throw new DataError(`${url}: download failed (${errorMessage(error)})`, { cause: error });
  }
}

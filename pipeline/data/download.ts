/**
 * Downloads that survive flaky networks and never leave an unverified file in the cache:
 * - https only (plain http only to loopback, for tests); the URL and every redirect target (at
 *   most five, followed by hand) are checked before they are requested (safe-fetch.ts): https, and not a
 *   private, loopback or link-local address (cloud metadata endpoints live there); request
 *   headers such as an Authorization token are dropped when a redirect leaves the original host.
 *   Only an organiser's own data location may lift the address rule, by an explicit opt-in
 *   (`allowPrivateNetwork`): nothing a pull request controls can ask for it;
 * - the body is appended to `<file>.part`; a dropped connection resumes with an HTTP Range
 *   request (guarded by If-Range, so a changed file restarts from zero);
 * - 429 and 5xx responses and network errors are retried with exponential backoff, honouring
 *   Retry-After; other 4xx fail at once;
 * - the size is capped while streaming, and checked exactly when known;
 * - the finished file is hashed, compared with the expected sha256 when there is one (a mismatch
 *   is discarded and fetched again once), and only then renamed into place.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataError, errorMessage } from '../errors.ts';
import {
  checkUrl,
  fetchFollowingSafeRedirects,
  type NetworkPolicy,
  TransientError,
} from './safe-fetch.ts';

export interface DownloadRequest {
  readonly url: string;
  /** Final path; written only after verification. */
  readonly destination: string;
  /** Expected sha256; without it the file is accepted as is and its hash returned. */
  readonly sha256?: string | undefined;
  /** Exact size when known. */
  readonly sizeBytes?: number | undefined;
  /** Hard cap when the size is not known. */
  readonly maxBytes: number;
  /** Extra request headers (an Authorization token, say). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Name used in messages instead of the URL, which may carry secrets. */
  readonly label?: string;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly allowLoopbackHttp?: boolean;
  /**
   * Allow plain http and private, loopback or link-local hosts: for an organiser's own data
   * server, opted into explicitly (LEADERBOARD_ALLOW_PRIVATE_NETWORK). Never for a URL a pull
   * request can influence.
   */
  readonly allowPrivateNetwork?: boolean;
  /** Injected by tests to skip real waiting. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

export interface DownloadResult {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** HTTP requests made, for diagnostics and tests. */
  readonly requests: number;
}

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/** Retry-After as milliseconds: either delay-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

interface PartialMeta {
  url: string;
  validator: string | undefined;
}

async function readMeta(path: string): Promise<PartialMeta | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartialMeta;
  } catch {
    return undefined;
  }
}

async function discardPartial(partial: string, meta: string): Promise<void> {
  await rm(partial, { force: true });
  await rm(meta, { force: true });
}

/**
 * Read a body stream eagerly. A WHATWG stream that errors (the connection dropped) discards the
 * chunks still queued in it, so a read must always be pending for every byte received before the
 * error to reach us; the chunks wait here for the slower disk writes instead.
 */
function readAhead(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncIterable<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let failure: unknown;
  let finished = false;
  let wake: (() => void) | undefined;
  void (async () => {
    try {
      for (;;) {
        const result = await reader.read();
        if (result.done) {
          break;
        }
        chunks.push(result.value);
        wake?.();
      }
    } catch (error) {
      failure = error ?? new Error('stream failed');
    } finally {
      finished = true;
      wake?.();
    }
  })();
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const chunk = chunks.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (finished) {
          if (failure !== undefined) {
            throw failure instanceof Error ? failure : new Error('the response body failed');
          }
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/** One request: resume or start `partial`, append the body. Returns the bytes now in `partial`. */
async function fetchInto(
  request: DownloadRequest,
  partial: string,
  metaPath: string,
  label: string,
  policy: NetworkPolicy,
): Promise<number> {
  const meta = await readMeta(metaPath);
  let offset = existsSync(partial) && meta?.url === request.url ? (await stat(partial)).size : 0;
  if (offset === 0) {
    await discardPartial(partial, metaPath);
  }
  const headers: Record<string, string> = { ...request.headers };
  if (offset > 0) {
    headers['range'] = `bytes=${offset}-`;
    if (meta?.validator) {
      headers['if-range'] = meta.validator;
    }
  }
  // Everything asynchronous happens before the request, so the body is read as soon as it arrives.
  await mkdir(dirname(partial), { recursive: true });
  const file = await open(partial, 'a');
  try {
    const response = await fetchFollowingSafeRedirects(request.url, headers, policy, label);
    const body = response.body;
    const reader = body?.getReader();
    const chunks = reader && response.ok ? readAhead(reader) : undefined;
    if (response.status === 416 && offset > 0) {
      // The partial file is not a prefix of what the server has; start over.
      await reader?.cancel();
      await file.truncate(0);
      throw new TransientError('the server refused to resume; starting again', 0);
    }
    if (response.status === 429 || response.status >= 500) {
      await reader?.cancel();
      throw new TransientError(
        `HTTP ${response.status}`,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    if (!response.ok || !reader || !chunks) {
      await reader?.cancel();
      throw new DataError(`${label}: download failed with HTTP ${response.status}`);
    }
    if (offset > 0 && response.status !== 206) {
      // The server ignored the range (or the file changed): the body is the whole file.
      offset = 0;
      await file.truncate(0);
    }
    const limit = request.sizeBytes ?? request.maxBytes;
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(announced) && offset + announced > limit) {
      await reader.cancel();
      throw new DataError(
        `${label}: the server announces ${offset + announced} bytes but at most ${limit} are allowed`,
      );
    }
    const validator =
      response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined;
    await writeFile(
      metaPath,
      JSON.stringify({ url: request.url, validator } satisfies PartialMeta),
    );
    let size = offset;
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > limit) {
          await reader.cancel();
          throw new DataError(`${label}: more than ${limit} bytes; download stopped`);
        }
        await file.write(chunk);
      }
    } catch (error) {
      if (error instanceof DataError) {
        throw error;
      }
      throw new TransientError(`connection lost after ${size} bytes (${errorMessage(error)})`);
    }
    await file.sync();
    return size;
  } finally {
    await file.close();
  }
}

/** Download `request.url` to `request.destination`, verified. */
export async function download(request: DownloadRequest): Promise<DownloadResult> {
  const label = request.label ?? request.url;
  const policy: NetworkPolicy = {
    loopbackHttp: request.allowLoopbackHttp ?? false,
    privateNetwork: request.allowPrivateNetwork ?? false,
  };
  checkUrl(request.url, policy, label);
  const attempts = request.attempts ?? DEFAULT_ATTEMPTS;
  const sleep =
    request.sleep ??
    ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  const partial = `${request.destination}.part`;
  const metaPath = `${partial}.json`;
  let hashRetried = false;
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let size: number;
    try {
      size = await fetchInto(request, partial, metaPath, label, policy);
      if (request.sizeBytes !== undefined && size < request.sizeBytes) {
        throw new TransientError(`received ${size} of ${request.sizeBytes} bytes`);
      }
      if (request.sizeBytes !== undefined && size > request.sizeBytes) {
        await discardPartial(partial, metaPath);
        throw new DataError(
          `${label}: received ${size} bytes but ${request.sizeBytes} are expected`,
        );
      }
    } catch (error) {
      if (!(error instanceof TransientError)) {
        await discardPartial(partial, metaPath);
        throw error;
      }
      lastProblem = error.message;
      if (attempt < attempts) {
        await sleep(
          error.retryAfterMs ??
            Math.min(
              MAX_BACKOFF_MS,
              (request.backoffMs ?? DEFAULT_BACKOFF_MS) * 2 ** (attempt - 1),
            ),
        );
      }
      continue;
    }
    const sha256 = await sha256OfFile(partial);
    if (request.sha256 !== undefined && sha256 !== request.sha256) {
      await discardPartial(partial, metaPath);
      const message = `${label}: sha256 mismatch: expected ${request.sha256}, got ${sha256}`;
      if (hashRetried || attempt === attempts) {
        throw new DataError(message, {
          hint: 'the file at the source is not the one pinned; fix the pin or the source',
        });
      }
      hashRetried = true;
      lastProblem = message;
      continue;
    }
    await rename(partial, request.destination);
    await rm(metaPath, { force: true });
    return { sha256, sizeBytes: size, requests: attempt };
  }
  throw new DataError(`${label}: download failed after ${attempts} attempts (${lastProblem})`, {
    hint: 'the source is unreachable or unstable; run the command again later (finished bytes are kept and resumed)',
  });
}

/** A model pinned by size and sha256; skips the download when a verified copy is present. */
export async function downloadPinned(pin: {
  readonly url: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly destination: string;
  readonly allowLoopbackHttp?: boolean;
}): Promise<void> {
  if (existsSync(pin.destination) && (await sha256OfFile(pin.destination)) === pin.sha256) {
    return;
  }
  await download({ ...pin, maxBytes: pin.sizeBytes });
}

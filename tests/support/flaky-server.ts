/**
 * An HTTP server on 127.0.0.1 that serves files with Range support and misbehaves on request,
 * for testing downloads: drop the connection part-way, answer 429/503, corrupt the body, or
 * redirect elsewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'drop-after'; bytes: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'corrupt' }
  | { kind: 'ignore-range' }
  | { kind: 'redirect'; location: string }
  | { kind: 'no-length' };

export interface FlakyServer {
  readonly url: string;
  /** Headers of every request received, in order. */
  readonly requests: {
    path: string;
    range: string | undefined;
    ifRange: string | undefined;
    authorization: string | undefined;
  }[];
  /** Faults for the next requests, consumed in order; later requests are served normally. */
  faults: Fault[];
  files: Map<string, Uint8Array>;
  close(): Promise<void>;
}

export async function startFlakyServer(
  files: Record<string, Uint8Array | string>,
): Promise<FlakyServer> {
  const state = {
    faults: [] as Fault[],
    files: new Map(
      Object.entries(files).map(([path, body]) => [
        path,
        typeof body === 'string' ? new TextEncoder().encode(body) : body,
      ]),
    ),
    requests: [] as FlakyServer['requests'],
  };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    state.requests.push({
      path,
      range: request.headers.range,
      ifRange:
        typeof request.headers['if-range'] === 'string' ? request.headers['if-range'] : undefined,
      authorization: request.headers.authorization,
    });
    const fault = state.faults.shift();
    if (fault?.kind === 'redirect') {
      response.writeHead(302, { location: fault.location }).end();
      return;
    }
    if (fault?.kind === 'status') {
      response
        .writeHead(
          fault.status,
          fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
        )
        .end();
      return;
    }
    const body = state.files.get(path);
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (range && fault?.kind !== 'ignore-range') {
      start = Number(range[1]);
      if (start >= body.length) {
        response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
    }
    let payload = body.subarray(start);
    if (fault?.kind === 'corrupt') {
      payload = Uint8Array.from(payload);
      payload[0] = (payload[0] ?? 0) ^ 0xff;
    }
    const headers: Record<string, string | number> = {
      'content-length': payload.length,
      etag: '"v1"',
      'accept-ranges': 'bytes',
    };
    if (start > 0) {
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    if (fault?.kind === 'no-length') {
      // Chunked transfer: the client learns the size only by counting.
      delete headers['content-length'];
    }
    response.writeHead(start > 0 ? 206 : 200, headers);
    if (fault?.kind === 'drop-after') {
      response.write(payload.subarray(0, fault.bytes), () => {
        response.socket?.destroy();
      });
      return;
    }
    response.end(payload);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    get faults() {
      return state.faults;
    },
    set faults(value: Fault[]) {
      state.faults = value;
    },
    files: state.files,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * Which URLs a download may request, and requests that follow redirects only to such URLs: https
 * only (plain http to loopback for tests); the URL and every redirect target (at most five,
 * followed by hand) resolve to no private, loopback or link-local address, since cloud metadata
 * endpoints live there, unless an organiser opted into their own data server; and request headers
 * such as an Authorization token are dropped when a redirect leaves the original host.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { DataError, errorMessage } from '../errors.ts';

/** A failure worth another attempt (network, 429, 5xx, truncated body). */
export class TransientError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Which hosts and schemes a download may reach beyond public https hosts. */
export interface NetworkPolicy {
  /** Tests: plain http to 127.0.0.1 / localhost. */
  readonly loopbackHttp: boolean;
  /** An organiser's opt-in: plain http, and private, loopback or link-local hosts. */
  readonly privateNetwork: boolean;
}

export function checkUrl(raw: string, policy: NetworkPolicy, label: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DataError(`${label}: not a valid URL`);
  }
  const loopback =
    url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  const plainHttpAllowed = policy.privateNetwork || (policy.loopbackHttp && loopback);
  if (url.protocol !== 'https:' && !(plainHttpAllowed && url.protocol === 'http:')) {
    throw new DataError(`${label}: only https downloads are allowed`);
  }
}

const MAX_REDIRECTS = 5;

/** Whether an IP address is private, loopback, link-local, unspecified or otherwise internal. */
export function isInternalAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, '').toLowerCase();
  // IPv4-mapped IPv6, dotted (::ffff:10.0.0.1) or as WHATWG URLs print it (::ffff:a00:1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (mapped !== undefined) {
    return isInternalAddress(mapped);
  }
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (hex) {
    const high = parseInt(hex[1] ?? '0', 16);
    const low = parseInt(hex[2] ?? '0', 16);
    return isInternalAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  if (isIP(text) === 4) {
    const [a = 0, b = 0] = text.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (isIP(text) === 6) {
    return (
      text === '::' ||
      text === '::1' ||
      /^f[cd]/.test(text) ||
      /^fe[89ab]/.test(text) ||
      text.startsWith('ff')
    );
  }
  return false;
}

/** Refuse a URL or redirect target before any request is made to it. */
async function checkTarget(target: URL, policy: NetworkPolicy, label: string): Promise<void> {
  checkUrl(target.href, policy, label);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const loopbackForTests = policy.loopbackHttp && (host === '127.0.0.1' || host === 'localhost');
  if (loopbackForTests || policy.privateNetwork) {
    return;
  }
  const addresses = isIP(host) !== 0 ? [host] : await resolvedAddresses(host);
  const internal = addresses.find(isInternalAddress);
  if (internal !== undefined) {
    throw new DataError(
      `${label}: refused a request to ${target.host}, a private, loopback or link-local address (${internal})`,
      {
        hint: 'downloads may only go to public https hosts (an organiser can allow their own data server with LEADERBOARD_ALLOW_PRIVATE_NETWORK=1; see docs/organisers.md)',
      },
    );
  }
}

async function resolvedAddresses(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (error) {
    throw new TransientError(`cannot resolve ${host} (${errorMessage(error)})`);
  }
}

export async function fetchFollowingSafeRedirects(
  url: string,
  headers: Readonly<Record<string, string>>,
  policy: NetworkPolicy,
  label: string,
): Promise<Response> {
  const origin = new URL(url);
  await checkTarget(origin, policy, label);
  let current = origin;
  for (let hop = 0; ; hop++) {
    // Credentials go only to the host they were meant for.
    const sent =
      current.host === origin.host
        ? headers
        : Object.fromEntries(
            Object.entries(headers).filter(([name]) => ['range', 'if-range'].includes(name)),
          );
    let response: Response;
    try {
      response = await fetch(current, { headers: sent, redirect: 'manual' });
    } catch (error) {
      throw new TransientError(`request failed (${errorMessage(error)})`);
    }
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null) {
      return response;
    }
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) {
      throw new DataError(`${label}: more than ${MAX_REDIRECTS} redirects`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new DataError(`${label}: the server redirected to an invalid URL`);
    }
    await checkTarget(next, policy, label);
    current = next;
  }
}

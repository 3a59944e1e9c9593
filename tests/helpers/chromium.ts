/**
 * Where the browser tests find Chromium: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium.
 * Undefined when neither exists, in which case the browser tests are skipped (loudly, see
 * tests/setup/chromium.ts).
 */
import { existsSync } from 'node:fs';

export function chromiumPath(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium'].filter(
    (path): path is string => Boolean(path),
  );
  return candidates.find((path) => existsSync(path));
}

/** Flags for headless Chromium on a closed network as root (see stack notes). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

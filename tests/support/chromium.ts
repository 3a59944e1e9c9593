/**
 * Where the browser tests find Chromium: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium.
 * Undefined when neither exists, in which case the browser tests are skipped (loudly, see
 * tests/setup/chromium.ts).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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

/** Debian's headless Chromium with the flags above (call only where chromiumPath() is defined). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath() ?? 'chromium', args: CHROMIUM_ARGS });
}

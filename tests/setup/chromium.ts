/**
 * Global setup: when Chromium is missing, the browser tests skip themselves; this makes sure the
 * run ends with an unmissable notice instead of a quiet "skipped".
 */
import { chromiumPath } from '../support/chromium.ts';

export default function setup(): () => void {
  return () => {
    if (chromiumPath()) {
      return;
    }
    const bar = '!'.repeat(78);
    process.stderr.write(
      [
        '',
        bar,
        '!! BROWSER TESTS WERE SKIPPED: no Chromium at $CHROMIUM_PATH or /usr/bin/chromium.',
        '!! The site was not checked in a browser. Install it with:',
        '!!   sudo apt-get install -y --no-install-recommends chromium',
        '!! (.ci/run installs it, so CI always runs these tests.)',
        bar,
        '',
      ].join('\n'),
    );
  };
}

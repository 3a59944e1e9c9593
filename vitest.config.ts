import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // onnxruntime-node is a native addon: keep every test file in its own forked process.
    pool: 'forks',
    globalSetup: ['tests/setup/chromium.ts'],
    // Unit tests keep the 30 s default; tests that start processes, build the site or drive a
    // browser set timeouts of their own, about ten times their idle time, so that `npm test`
    // passes on a 2-core machine busy with other work. Hooks evaluate the demo suite or build
    // the site (up to about a minute idle).
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // onnxruntime-node is a native addon: keep every test file in its own forked process.
    pool: 'forks',
    globalSetup: ['tests/setup/chromium.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});

/**
 * Time budgets of the tests that start processes, evaluate, build the site or drive a browser,
 * named once. Each is about ten times the work's idle time on a 2-core machine, so that the tests
 * pass on a machine busy with other work: a budget catches a hang, never a slowdown (speed targets
 * live in `npm run bench`, as ratios).
 */
export const BUDGETS = {
  /** The shared demo world: `npm run build` on the demo suite, every protocol (idle 2-3 min). */
  demoWorld: 1_800_000,
  /** A pipeline command or an evaluation of a task or two of the demo suite (idle 2-20 s). */
  pipelineRun: 300_000,
  /** The checker on a handful of encoders, each probed in its own process (idle 5-15 s). */
  checkerRun: 240_000,
  /** One `astro build` of a results folder (idle 5-10 s). */
  siteBuild: 180_000,
  /** One test driving Chromium through several pages (idle 3-10 s). */
  browserPages: 120_000,
  /** One test driving Chromium over a board of up to 500 submissions (idle 5-30 s). */
  boardInBrowser: 300_000,
  /** `astro dev` started, a page loaded and reloaded (idle 10-20 s). */
  devServer: 240_000,
  /** One lint tool over the whole repository: format, types, lint rules, dead code (idle 3-20 s). */
  lint: 300_000,
  /** The smallest rehearsal of all 22 public X-ARES tasks, one encoder (idle 1 to 3 min). */
  rehearsal: 1_200_000,
  /** Soaks and scale runs of `npm run test:slow` (idle 1-2 min each). */
  soak: 900_000,
  /** Exporting PyTorch models with tools/export_onnx.py (idle about a minute). */
  pytorchExport: 900_000,
} as const;

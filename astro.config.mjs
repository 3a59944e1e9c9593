// @ts-check
import { defineConfig } from 'astro/config';

// GitHub Pages serves the site from https://<owner>.github.io/<repo>/ unless a custom domain is
// set; .github/workflows/pages.yml passes both through the environment.
const site = process.env.LEADERBOARD_SITE_URL || undefined;
const base = process.env.LEADERBOARD_BASE_PATH || '/';

export default defineConfig({
  ...(site ? { site } : {}),
  base,
  output: 'static',
  trailingSlash: 'ignore',
  outDir: process.env.LEADERBOARD_OUT_DIR || './dist',
  // Tests build several sites in parallel; each gets its own content-layer cache.
  ...(process.env.LEADERBOARD_ASTRO_CACHE_DIR
    ? { cacheDir: process.env.LEADERBOARD_ASTRO_CACHE_DIR }
    : {}),
  build: { format: 'directory' },
  devToolbar: { enabled: false },
  // Shiki's inline styles conflict with the CSP and no page needs code highlighting.
  markdown: { syntaxHighlight: false },
  security: {
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "connect-src 'none'",
      ],
      // Plot's SVG output carries a <style> element and style attributes; styles cannot run
      // code, so they are allowed inline while scripts stay restricted to hashed bundles.
      styleDirective: { resources: ["'self'", "'unsafe-inline'"] },
    },
  },
});

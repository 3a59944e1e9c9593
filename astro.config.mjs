// @ts-check
import { defineConfig } from 'astro/config';
import { parseEnvironment } from './schemas/environment.ts';

// GitHub Pages serves the site from https://<owner>.github.io/<repo>/ unless a custom domain is
// set; .github/workflows/pages.yml passes both through the environment.
const environment = parseEnvironment(process.env);
const site = environment.siteUrl;
const base = environment.basePath;

export default defineConfig({
  ...(site ? { site } : {}),
  base,
  output: 'static',
  trailingSlash: 'ignore',
  outDir: environment.outDir,
  // Tests build several sites in parallel; each gets its own content-layer cache.
  ...(environment.astroCacheDir ? { cacheDir: environment.astroCacheDir } : {}),
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

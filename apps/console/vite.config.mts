import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The web console's build (`npm run build` runs it after tsc): a static single-page app
 * written to dist/console, served by the broker under /console/. JSX through Vite's own
 * transformer (no plugin), everything bundled: nothing is fetched from a CDN at run time.
 */
export default defineConfig({
  root: here,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(here, '..', '..', 'dist', 'console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
});

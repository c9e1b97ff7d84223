// Builds the viewer into dist/viewer/ as plain files that also work when opened from file://:
// relative asset paths, and one classic (non-module) script, since browsers refuse module scripts
// from file:// origins.
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { patchBrotliDecoder } from './scripts/brotli-patches.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Turns vite's `<script type="module" crossorigin>` into a deferred classic script and drops crossorigin (file:// has no origin). */
function classicScript(): Plugin {
  return {
    name: 'lapse-classic-script',
    enforce: 'post',
    transformIndexHtml(html) {
      return html.replace(/<script type="module" crossorigin/g, '<script defer').replace(/ crossorigin(="[^"]*")?/g, '');
    },
  };
}

/** The npm `brotli` decoder, edited at build time (see scripts/brotli-patches.mjs: why, and what). */
function patchedBrotli(): Plugin {
  return {
    name: 'lapse-patched-brotli',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]brotli[\\/]dec[\\/]decode\.js$/.test(id)) return null;
      return patchBrotliDecoder(code, id);
    },
  };
}

/**
 * src/early.ts also on its own, as `assets/early.js`, an async classic script in the head: it starts the
 * trace request while the bundle is still being fetched and evaluated (the bundle finds the request).
 */
function earlyTraceRequest(): Plugin {
  const src = fileURLToPath(new URL('src/early.ts', import.meta.url));
  const fileName = 'assets/early.js';
  return {
    name: 'lapse-early-trace-request',
    async generateBundle() {
      const { code } = await transformWithEsbuild(readFileSync(src, 'utf8'), src, { loader: 'ts', format: 'iife', target: 'es2022', minify: true });
      this.emitFile({ type: 'asset', fileName, source: code });
    },
    transformIndexHtml: {
      order: 'post',
      // right after the charset, before anything else is fetched
      handler: (html) => {
        if (!html.includes('<meta charset="utf-8" />')) throw new Error('viewer/index.html: no charset meta to put early.js after');
        return html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <script async src="./${fileName}"></script>`);
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [classicScript(), patchedBrotli(), earlyTraceRequest()],
  build: {
    outDir: fileURLToPath(new URL('../dist/viewer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    cssCodeSplit: false,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: { format: 'iife', inlineDynamicImports: true, entryFileNames: 'assets/viewer-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});

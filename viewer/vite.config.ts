// Builds the viewer into dist/viewer/ as plain files that also work when opened from file://:
// relative asset paths, and one classic (non-module) script, since browsers refuse module scripts
// from file:// origins.
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

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

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [classicScript()],
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

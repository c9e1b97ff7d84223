#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (the `prepare` step of npm install).
// The read commands also have single-file bundles (dist/bundle/, scripts/bundle-cli.mjs), run through
// V8's code cache so they start without parsing or compiling their modules again.
import { statSync } from 'node:fs';

/** The command's bundle, unless there is none or dist/ was compiled again after it (tsc without the bundle step). */
function freshBundle(command) {
  if (!command || !/^[a-z]+$/.test(command)) return null;
  const bundle = new URL(`../dist/bundle/${command}.cjs`, import.meta.url);
  try {
    return statSync(bundle).mtimeMs >= statSync(new URL('../dist/cli/program.js', import.meta.url)).mtimeMs ? bundle : null;
  } catch {
    return null;
  }
}

const bundle = freshBundle(process.argv[2]);
if (bundle) {
  const { runBundle } = await import('./run-bundle.js');
  await runBundle(bundle);
} else {
  import('../dist/cli/main.js').catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
      process.stderr.write('lapse: not built yet; run `npm install` (or `npm run build`) in the lapse folder\n');
      process.exit(2);
    }
    throw err;
  });
}

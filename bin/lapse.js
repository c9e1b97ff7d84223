#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (the `prepare` step of npm install).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('lapse: not built yet; run `npm install` (or `npm run build`) in the lapse folder\n');
    process.exit(2);
  }
  throw err;
});

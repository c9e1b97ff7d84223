// Runs one command's CommonJS bundle (dist/bundle/<command>.cjs) through node:vm with V8's code cache
// in `<bundle>.cache`: Node 20 has no compile cache of its own (module.enableCompileCache is 22.1+).
// The cache is written after the first run (then it holds the functions that run used, compiled) and
// again whenever V8 refuses it (another Node version); a folder that is not writable only costs the
// cache, never the command.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export async function runBundle(url) {
  const file = fileURLToPath(url);
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // read-only install: run without a cache
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const { runCli, register } = module.exports;
  await runCli(process.argv, async () => [register]);
}

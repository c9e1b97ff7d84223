// Build step (after tsc): the read commands as single-file CommonJS bundles, dist/bundle/<command>.cjs.
//
// Why: `lapse stats` on a small trace spent most of its time starting up — Node resolving, reading
// and compiling ~80 ES modules and five packages (the price table alone is 0.8 MB of source) — and
// Node 20 has no compile cache for ES modules (module.enableCompileCache is Node 22.1+). One CommonJS
// file can be compiled through node:vm with V8's code cache (bin/lapse.js keeps it beside the bundle),
// which skips parsing and compiling on every later run.
//
// Each bundle holds one command's module graph (commands/<name>.js and program.js) with its packages;
// the unbundled dist/ stays as it is (the other commands, tests, the viewer's server, workers).
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bundle');

/** Commands worth bundling: they read a trace and print (none opens a socket, a terminal UI or a worker). */
export const BUNDLED = ['stats', 'simulate', 'ls', 'dump', 'report'];

// A module's `import.meta.url` is its own file's URL; in the bundle it becomes the URL of the same
// file in dist/ (still there), so relative paths such as version.ts's package.json read the same.
const importMetaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = JSON.stringify(relative(out, args.path).split('\\').join('/'));
      const url = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${rel})).href`;
      return { contents: text.split('import.meta.url').join(`(${url})`), loader: 'js' };
    });
  },
};

// fflate builds its Huffman and bit-reversal tables as it loads (~10 ms of a read command's start),
// and the CLI inflates with node:zlib (cli/trace/load.ts): only a format 1.0 frame without its length,
// or a reader given no inflate, needs fflate. In the bundles its functions load it on first call.
const lazyFflate = {
  name: 'lazy-fflate',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      return { path: 'fflate', namespace: 'lazy-fflate', pluginData: { resolveDir: args.resolveDir } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-fflate' }, async (args) => {
      // the very file an import of fflate resolves to, required instead of imported
      const real = await b.resolve('fflate', { kind: 'import-statement', resolveDir: args.pluginData.resolveDir, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      const names = Object.entries(await import(pathToFileURL(real.path).href)).filter(([, v]) => typeof v === 'function').map(([k]) => k);
      const wrap = (n) => `export function ${n}(...a) { return new.target ? new (load().${n})(...a) : load().${n}(...a); }`;
      return { contents: [`let real;`, `const load = () => (real ??= require(${JSON.stringify(real.path)}));`, ...names.map(wrap)].join('\n'), resolveDir: dirname(real.path), loader: 'js' };
    });
  },
};

// @pydantic/genai-prices sorts with localeCompare as it loads (the keys of its unit registry) and for
// each price (its units, most specific first): the first call builds ICU's collator, ~7 ms of every
// start (15 on a loaded machine). Both sorts need only some fixed order of ASCII key names: the
// registry's keys are made and looked up by the same function, and a unit's leaf subtracts only more
// specific units' (sorted before it either way), integer token counts summed exactly in any order.
// So code-unit order prices the same (test/analysis/commands.test.ts: bundled and unbundled agree).
const pricesWithoutCollator = {
  name: 'prices-without-collator',
  setup(b) {
    b.onLoad({ filter: /[\\/]@pydantic[\\/]genai-prices[\\/]dist[\\/]index\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const swaps = [
        ['t.localeCompare(a)', '(t < a ? -1 : t > a ? 1 : 0)'],
        ['n.usageKey.localeCompare(s.usageKey)', '(n.usageKey < s.usageKey ? -1 : n.usageKey > s.usageKey ? 1 : 0)'],
      ];
      for (const [from, to] of swaps) {
        if (text.split(from).length !== 2) throw new Error(`bundle-cli: @pydantic/genai-prices changed ("${from}" is not there once): look at its sorts again`);
        text = text.replace(from, to);
      }
      if (text.includes('localeCompare')) throw new Error('bundle-cli: @pydantic/genai-prices sorts with localeCompare somewhere new: look at its sorts again');
      return { contents: text, loader: 'js' };
    });
  },
};

// commander requires node:child_process for subcommands that are separate executables (lapse has
// none); loading it, and what it loads, is ~2 ms of every start: it loads on the first spawn.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: `let real;\nmodule.exports = { spawn: (...a) => (real ??= require('node:child_process')).spawn(...a) };\n`,
      loader: 'js',
    }));
  },
};

await rm(out, { recursive: true, force: true });
for (const name of BUNDLED) {
  const result = await build({
    stdin: {
      contents: `export { register } from './cli/commands/${name}.js';\nexport { runCli } from './cli/program.js';\n`,
      resolveDir: dist,
      sourcefile: `${name}-entry.js`,
      loader: 'js',
    },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: join(out, `${name}.cjs`),
    // msgpackr's Node entry only probes for an optional native addon; its plain build is the one the
    // browser already uses
    alias: { msgpackr: join(root, 'node_modules/msgpackr/index.js') },
    plugins: [pricesWithoutCollator, importMetaUrl, lazyFflate, lazyChildProcess],
    logLevel: 'warning',
    metafile: true,
  });
  // a dynamic import() left in the bundle would need an ES module loader the vm script does not have
  const text = await readFile(join(out, `${name}.cjs`), 'utf8');
  if (/\bimport\(/.test(text.replace(/\/\/.*$/gm, ''))) throw new Error(`bundle-cli: ${name}.cjs keeps a dynamic import()`);
  if (result.errors.length) process.exit(1);
}

// Warm each trace-reading bundle's code cache (bin/run-bundle.js writes it after a run that had
// none) so the first real run starts from compiled code too: on a fixture as the writer leaves a
// trace on close (compacted, format 1.1 runs), so the run-reading path is in the cache as well.
const { spawnSync } = await import('node:child_process');
const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { compactTrace } = await import(join(dist, 'format/compact.js'));
const warmDir = mkdtempSync(join(tmpdir(), 'lapse-bundle-'));
const fixture = join(warmDir, 'anthropic.lapse');
writeFileSync(fixture, compactTrace(readFileSync(join(root, 'fixtures/traces/anthropic.lapse'))));
try {
  for (const name of ['stats', 'simulate', 'dump']) {
    const r = spawnSync(process.execPath, [join(root, 'bin/lapse.js'), name, '--json', fixture], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`bundle-cli: lapse ${name} on ${fixture} exited ${r.status}`);
  }
} finally {
  await rm(warmDir, { recursive: true, force: true });
}

// The demo workspace: a tiny project with one failing test, and a test run that takes a while.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Present in every workspace we seed, so we never overwrite someone's real files. */
export const MARKER = '.lapse-demo';

const FILES: Record<string, string> = {
  [MARKER]: 'A scratch workspace made by the lapse scripted agent. Safe to delete.\n',
  'package.json': JSON.stringify({ name: 'lapse-demo-workspace', private: true, type: 'module', scripts: { test: 'node test/run.js' } }, null, 2) + '\n',
  'src/math.js': `// Small arithmetic helpers.
export function add(a, b) {
  return a - b;
}

export function mul(a, b) {
  return a * b;
}
`,
  'test/math.test.js': `import { add, mul } from '../src/math.js';

export const tests = {
  'add(2, 3) is 5': () => add(2, 3) === 5,
  'add(-1, 1) is 0': () => add(-1, 1) === 0,
  'mul(4, 5) is 20': () => mul(4, 5) === 20,
};
`,
  // DEMO_TEST_MS stands in for a real suite's run time, so the tool time in a trace is not zero.
  'test/run.js': `import { tests } from './math.test.js';

const total = Number(process.env.DEMO_TEST_MS ?? 1200);
const names = Object.keys(tests);
let failed = 0;
for (const name of names) {
  await new Promise((r) => setTimeout(r, total / names.length));
  let ok = false;
  try {
    ok = tests[name]() === true;
  } catch {
    ok = false;
  }
  if (!ok) failed++;
  console.log((ok ? 'ok   ' : 'FAIL ') + name);
}
console.log(\`\${names.length - failed} passed, \${failed} failed\`);
process.exit(failed ? 1 : 0);
`,
  // The slow checks of the subagent and parallel-tools scenarios: `node scripts/check.js MS`.
  'scripts/check.js': `const ms = Number(process.argv[2] ?? 1000);
await new Promise((r) => setTimeout(r, ms));
console.log(\`checks passed (\${ms} ms)\`);
`,
};

export interface Workspace {
  dir: string;
  /** Removes it if we made it (a temporary directory). */
  dispose(): void;
}

/**
 * Seeds `dir` (created if missing; refused if it holds other files and is not a demo workspace),
 * or a fresh temporary directory when `dir` is undefined.
 */
export function prepareWorkspace(dir: string | undefined, keep = false): Workspace {
  let root: string;
  let temporary = false;
  if (dir) {
    root = resolve(dir);
    mkdirSync(root, { recursive: true });
    const present = readdirSync(root);
    if (present.length > 0 && !existsSync(join(root, MARKER))) {
      throw new Error(`refusing to seed ${root}: it is not empty and not a lapse demo workspace (no ${MARKER})`);
    }
  } else {
    root = mkdtempSync(join(tmpdir(), 'lapse-demo-'));
    temporary = true;
  }
  // Files already as seeded are left alone, so seeding twice (lapse demo seeds before the recorder
  // starts watching, then the agent seeds again) shows no changes to a file watcher.
  if (existsSync(join(root, 'CHANGELOG.md'))) rmSync(join(root, 'CHANGELOG.md'));
  for (const [rel, text] of Object.entries(FILES)) {
    const p = join(root, rel);
    if (existsSync(p) && readFileSync(p, 'utf8') === text) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return {
    dir: root,
    dispose: () => {
      if (temporary && !keep) rmSync(root, { recursive: true, force: true });
    },
  };
}

// Shared by the viewer tests: Chromium (Debian's, never downloaded), the built viewer, and a running
// `lapse view` child whose URL is read from its stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = join(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.LAPSE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Skipped on a developer machine without Chromium; a failure on CI. */
export const skipBrowser = !hasChromium && process.env.CI !== 'true';

export function requireBuilt(): void {
  for (const f of ['dist/cli/main.js', 'dist/viewer/index.html']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
}

export async function launch(): Promise<Browser> {
  if (!hasChromium) throw new Error(`Chromium not found at ${CHROMIUM} (install the distribution package; tests never download a browser)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Collects console errors and uncaught page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

export interface Viewing {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** `lapse view TRACE --no-open EXTRA…` (no TRACE: `null`, e.g. with `--live`); `env` replaces the environment. */
export async function startView(trace: string | null, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Viewing> {
  const args = [join(root, 'bin/lapse.js'), 'view', ...(trace === null ? [] : [trace]), '--no-open', ...extra];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lapse view printed no URL in 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lapse view exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}

/** A raw GET with a chosen Host header (fetch does not let a caller set Host). */
export function rawGet(port: number, path: string, host: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs a CLI command to completion. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/lapse.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LAPSE_HOME: join(root, 'test-output', 'no-traces-here') } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A trace served by `lapse view` and open in a Chromium page, drawn and ready. */
export interface OpenView {
  view: Viewing;
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors so far. */
  errors: string[];
  close: () => Promise<void>;
}

export async function openView(trace: string, viewport = { width: 1400, height: 1000 }): Promise<OpenView> {
  requireBuilt();
  const view = await startView(trace);
  const browser = await launch();
  const page = await browser.newPage({ viewport });
  const errors = watchErrors(page);
  await page.goto(view.url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  return {
    view,
    browser,
    page,
    errors,
    close: async () => {
      await browser.close();
      await view.stop();
    },
  };
}

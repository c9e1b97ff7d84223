// The real harness CLIs from npm, each set up to run one prompt non-interactively and offline against
// lapse's built-in endpoint: a fresh HOME with what its first run needs, API-key auth (any key does),
// tool approval off, telemetry and update checks off. `.ci/run` installs the pinned versions
// (versions.json) into HARNESS_DIR.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HARNESS_DIR = process.env.LAPSE_HARNESS_DIR ?? join(ROOT, '.cache', 'harnesses');

export const PROMPT = 'Create hello.js that prints a greeting, then run it.';

export interface HarnessCase {
  name: string;
  bin: string;
  args: string[];
  /** The API key it is given: it must not appear in the trace. */
  key: string;
  /** Its own environment, on top of PATH/HOME. */
  env(home: string): NodeJS.ProcessEnv;
  /** Files its first run needs in the fresh HOME. */
  setup?(home: string): void;
  protocol: string;
  transport: 'http' | 'websocket';
}

function file(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** Gemini CLI and its fork Qwen Code share the settings layout. */
function geminiSettings(auth: string): string {
  return JSON.stringify({
    security: { auth: { selectedType: auth } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, disableAutoUpdate: true, disableUpdateNag: true },
  });
}

/**
 * Codex with its default model (gpt-6.2-sol in the pinned Codex: no `tools`, but a code-mode `exec`
 * tool taking JavaScript in an `additional_tools` input item), or the model `model` names.
 */
function codex(name: string, model: string[]): HarnessCase {
  const key = 'sk-proj-lapseHarnessTest000000000000000000';
  return {
    name,
    bin: 'codex',
    args: [...model, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', PROMPT],
    key,
    env: (home) => ({ OPENAI_API_KEY: key, CODEX_HOME: join(home, '.codex') }),
    setup: (home) => file(join(home, '.codex', 'config.toml'), 'check_for_update_on_startup = false\n[analytics]\nenabled = false\n'),
    protocol: 'openai-responses',
    transport: 'websocket',
  };
}

export const CASES: HarnessCase[] = [
  {
    name: 'claude',
    bin: 'claude',
    args: ['-p', PROMPT, '--allowedTools', 'Write,Bash'],
    key: 'sk-ant-api03-lapseHarnessTest0000000000000000',
    env: () => ({ ANTHROPIC_API_KEY: 'sk-ant-api03-lapseHarnessTest0000000000000000', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1' }),
    // without it the first run checks in with api.anthropic.com directly
    setup: (home) => file(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true })),
    protocol: 'anthropic-messages',
    transport: 'http',
  },
  codex('codex', []),
  // gpt-5 gets Codex's function tools (exec_command) in `tools`, not the code-mode tool
  codex('codex-gpt-5', ['-m', 'gpt-5']),
  {
    name: 'opencode',
    bin: 'opencode',
    args: ['run', '--model', 'anthropic/claude-sonnet-4-5', PROMPT],
    key: 'sk-ant-api03-lapseHarnessTest1111111111111111',
    env: () => ({
      ANTHROPIC_API_KEY: 'sk-ant-api03-lapseHarnessTest1111111111111111',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_CONFIG_CONTENT: JSON.stringify({ permission: { edit: 'allow', bash: 'allow' }, share: 'disabled', autoupdate: false }),
    }),
    protocol: 'anthropic-messages',
    transport: 'http',
  },
  {
    name: 'gemini',
    bin: 'gemini',
    args: ['-p', PROMPT, '--yolo'],
    key: 'AIzaSyLapseHarnessTest00000000000000000',
    env: () => ({ GEMINI_API_KEY: 'AIzaSyLapseHarnessTest00000000000000000', GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_TELEMETRY_ENABLED: 'false' }),
    setup: (home) => file(join(home, '.gemini', 'settings.json'), geminiSettings('gemini-api-key')),
    protocol: 'gemini-generate-content',
    transport: 'http',
  },
  {
    // Logged in with Google (Code Assist, `/v1internal:…`): an access token from the environment
    // instead of an OAuth login (which needs Google's servers); lapse points CODE_ASSIST_ENDPOINT at
    // the proxy, and the built-in endpoint answers the account calls (loadCodeAssist…) too.
    name: 'gemini-google',
    bin: 'gemini',
    args: ['-p', PROMPT, '--yolo'],
    key: 'ya29.lapseHarnessTestCodeAssist000000000000',
    env: () => ({ GOOGLE_GENAI_USE_GCA: 'true', GOOGLE_CLOUD_ACCESS_TOKEN: 'ya29.lapseHarnessTestCodeAssist000000000000', GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_TELEMETRY_ENABLED: 'false' }),
    setup: (home) => file(join(home, '.gemini', 'settings.json'), geminiSettings('oauth-personal')),
    protocol: 'gemini-generate-content',
    transport: 'http',
  },
  {
    name: 'qwen',
    bin: 'qwen',
    args: ['-p', PROMPT, '--yolo'],
    key: 'sk-lapseHarnessTestQwen00000000000000',
    env: () => ({ OPENAI_API_KEY: 'sk-lapseHarnessTestQwen00000000000000', OPENAI_MODEL: 'qwen3-coder-plus', QWEN_CODE_SKIP_UPDATE_CHECK_ONCE: '1' }),
    setup: (home) => file(join(home, '.qwen', 'settings.json'), geminiSettings('openai')),
    protocol: 'openai-chat',
    transport: 'http',
  },
  {
    name: 'copilot',
    bin: 'copilot',
    // Its own provider (BYOK) in offline mode: no GitHub login, no GitHub service. lapse sets
    // COPILOT_PROVIDER_BASE_URL because the provider type is set.
    args: ['-p', PROMPT, '--allow-all-tools', '--disable-client-telemetry', '--no-auto-update'],
    key: 'sk-lapseHarnessTestCopilot000000000000',
    env: (home) => ({
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_PROVIDER_API_KEY: 'sk-lapseHarnessTestCopilot000000000000',
      COPILOT_MODEL: 'gpt-4.1',
      COPILOT_OFFLINE: 'true',
      COPILOT_AUTO_UPDATE: 'false',
      COPILOT_HOME: join(home, '.copilot'),
    }),
    protocol: 'openai-chat',
    transport: 'http',
  },
  {
    name: 'pi',
    bin: 'pi',
    // lapse loads its pi extension (`-e`), which points pi's providers at the proxy.
    args: ['--provider', 'anthropic', '--model', 'claude-sonnet-4-5', '--no-session', '-p', PROMPT],
    key: 'sk-ant-api03-lapseHarnessTestPi222222222222',
    env: (home) => ({ ANTHROPIC_API_KEY: 'sk-ant-api03-lapseHarnessTestPi222222222222', PI_OFFLINE: '1', PI_TELEMETRY: '0', PI_CODING_AGENT_DIR: join(home, '.pi', 'agent') }),
    protocol: 'anthropic-messages',
    transport: 'http',
  },
];

export const binOf = (c: HarnessCase): string => join(HARNESS_DIR, 'node_modules', '.bin', c.bin);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; SIGTERM after `timeoutMs`. */
export function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface HarnessRecording {
  rec: Run;
  trace: string;
  /** Its working directory, HOME and trace directory. */
  work: string;
  home: string;
  traces: string;
}

/**
 * Runs the harness through `lapse record` against the endpoint at `upstream`, in a fresh HOME and
 * working directory under `dir` (new ones on each call, so a retried test starts clean). Only what the harness needs is in its environment: no keys or config
 * of the machine's user leak in, and anything that honours a proxy and tries the internet gets a dead
 * one (lapse keeps loopback off it).
 */
export async function recordHarness(c: HarnessCase, dir: string, upstream: string, args: string[] = c.args): Promise<HarnessRecording> {
  mkdirSync(dir, { recursive: true });
  const fresh = mkdtempSync(join(dir, 'run-'));
  const home = join(fresh, 'home');
  const work = join(fresh, 'work');
  const traces = join(fresh, 'traces');
  for (const d of [home, work, traces]) mkdirSync(d, { recursive: true });
  c.setup?.(home);
  const trace = join(traces, `${c.name}.lapse`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LAPSE_HOME: traces, TERM: 'dumb', NO_COLOR: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', ...c.env(home) };
  const lapse = join(ROOT, 'bin', 'lapse.js');
  const rec = await run(process.execPath, [lapse, 'record', '-o', trace, '--anthropic-upstream', upstream, '--openai-upstream', `${upstream}/v1`, '--gemini-upstream', upstream, '--code-assist-upstream', upstream, '--', binOf(c), ...args], { cwd: work, env, timeoutMs: 480_000 });
  return { rec, trace, work, home, traces };
}

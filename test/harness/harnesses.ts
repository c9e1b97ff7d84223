// The real harness CLIs from npm, each set up to run one prompt non-interactively and offline against
// lapse's built-in endpoint: a fresh HOME with what its first run needs, API-key auth (any key does),
// tool approval off, telemetry and update checks off. `.ci/run` installs the pinned versions
// (versions.json) into HARNESS_DIR.
import { mkdirSync, writeFileSync } from 'node:fs';
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
  {
    name: 'codex',
    bin: 'codex',
    // gpt-5 gets Codex's function tools (exec_command); its newest models get the JavaScript `exec`
    // code-mode tool, which the scripted endpoint does not drive.
    args: ['-m', 'gpt-5', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', PROMPT],
    key: 'sk-proj-lapseHarnessTest000000000000000000',
    env: (home) => ({ OPENAI_API_KEY: 'sk-proj-lapseHarnessTest000000000000000000', CODEX_HOME: join(home, '.codex') }),
    setup: (home) => file(join(home, '.codex', 'config.toml'), 'check_for_update_on_startup = false\n[analytics]\nenabled = false\n'),
    protocol: 'openai-responses',
    transport: 'websocket',
  },
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

// A pi extension (`pi -e <this file>`, pi's documented way to send a built-in provider through a
// proxy): `lapse record -- pi …` loads it so pi's Anthropic, OpenAI and Google providers, whose
// models carry their own base URLs and so ignore the SDKs' environment, reach lapse's proxy. It reads
// the base URLs lapse gives every child; outside lapse (none set) it changes nothing.

interface PiProviders {
  registerProvider(name: string, config: { baseUrl: string }): void;
}

/** pi's provider → the variable lapse sets, and the path pi's client expects after it. */
const PROVIDERS: [provider: string, env: string, suffix: string][] = [
  ['anthropic', 'ANTHROPIC_BASE_URL', ''],
  ['openai', 'OPENAI_BASE_URL', ''],
  // pi's Google client takes a base that already names the API version.
  ['google', 'GOOGLE_GEMINI_BASE_URL', '/v1beta'],
];

export default function lapseProxy(pi: PiProviders): void {
  for (const [provider, env, suffix] of PROVIDERS) {
    const url = process.env[env];
    if (url) pi.registerProvider(provider, { baseUrl: url.replace(/\/+$/, '') + suffix });
  }
}

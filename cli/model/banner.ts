// What `lapse demo --serve-model` prints: where the endpoint is and how to point harnesses at it.
import type { ModelServer, RequestLogEntry } from './server.js';

export function serveBanner(s: ModelServer, pace: { ttftMs: number; tokensPerSecond: number; jitter: number }): string {
  const u = s.url;
  return `lapse scripted model endpoint — TTFT ${pace.ttftMs} ms, ${pace.tokensPerSecond} tokens/s, jitter ${pace.jitter}
  Anthropic Messages      ${u}/v1/messages          (ANTHROPIC_BASE_URL=${u})
  OpenAI Chat/Responses   ${u}/v1                   (OPENAI_BASE_URL=${u}/v1)
  Responses WebSocket     ${s.wsUrl}
  Gemini API              ${u}/v1beta/models/…      (GOOGLE_GEMINI_BASE_URL=${u})

Point a harness at it (any API key will do):
  ANTHROPIC_BASE_URL=${u} ANTHROPIC_API_KEY=dummy claude
  codex -c openai_base_url="${u}/v1" exec "fix the failing test"
  OPENAI_BASE_URL=${u}/v1 OPENAI_API_KEY=dummy node my-agent.js
  GOOGLE_GEMINI_BASE_URL=${u} GEMINI_API_KEY=dummy gemini -p "create hello.js and run it" --yolo
  OPENAI_BASE_URL=${u}/v1 node dist/cli/agent/main.js --protocol openai-ws     # lapse's scripted agent
Record a session against it:
  lapse record --anthropic-upstream ${u} --openai-upstream ${u}/v1 --gemini-upstream ${u} -- CMD
Clients that offer the tools read_file, edit_file, write_file and run_command get the scripted coding
session; a harness with its own write and shell tools (claude, opencode, gemini, qwen, codex) writes
hello.js and runs it; others get a plain paced answer. Ctrl-C stops it.
`;
}

/** One line per finished request. */
export function requestLine(e: RequestLogEntry): string {
  const at = (e.arrivedAt / 1000).toFixed(1).padStart(7);
  const ttft = e.firstContentAt !== null ? `TTFT ${Math.round(e.firstContentAt - e.arrivedAt)} ms` : '';
  const took = e.endedAt !== null ? `${Math.round(e.endedAt - e.arrivedAt)} ms` : '';
  const kind = `${e.protocol}${e.transport === 'websocket' ? ' (ws)' : e.stream ? ' (sse)' : ''}`;
  const extra = [e.side ? 'side' : '', e.error ?? ''].filter(Boolean).join(', ');
  return `${at}s  ${e.path}  ${kind}  ${e.outputTokens} tokens  ${ttft}  ${took}  ${e.status}${extra ? ` (${extra})` : ''}`.replace(/ {3,}/g, '  ');
}

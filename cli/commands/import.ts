import type { Command } from 'commander';
import { defaultRoots, findSessions, parseSince } from '../import/discover.js';
import { importSessions } from '../import/run.js';
import { ensureTracesDir } from '../util/paths.js';

export function register(program: Command): void {
  program
    .command('import')
    .description("turn Claude Code transcripts and Codex rollouts into traces (idempotent)")
    .argument('[path...]', "transcript files or folders (default: Claude Code's and Codex's own folders)")
    .option('--since <when>', 'only sessions active since then: 7d, 12h, 30m, or a date (2026-11-30)')
    .option('--json', 'print JSON: { imported: [{ source, session, trace, requests }], skipped, errors: [{ path, error }] }')
    .addHelpText(
      'after',
      `
Without a PATH, reads ~/.claude/projects (or $CLAUDE_CONFIG_DIR/projects) and ~/.codex/sessions (or
$CODEX_HOME/sessions). Each session becomes one trace in the trace directory; importing again skips
unchanged sessions and replaces the import of one that grew. Subagents become threads of their session.

A transcript has the times each line was written (to the millisecond) but no per-token timing: imported
requests have no TTFT or tokens/s, and their split into model wait and stream is estimated from their
output tokens (they are marked "estimated"). Tool, user and harness time are as the transcript says.

Examples:
  lapse import                              everything in the default folders
  lapse import --since 7d && lapse report   the last week, summed up
  lapse import ~/.claude/projects/-home-me-app --json | jq '.imported | length'`,
    )
    .action(async (paths: string[], flags: { since?: string; json?: boolean }) => {
      const since = parseSince(flags.since);
      const roots = paths.length ? paths : defaultRoots();
      const sources = roots.length ? findSessions(roots, since) : [];
      const dir = ensureTracesDir();
      const tty = process.stderr.isTTY === true;
      let lastLine = 0;
      const result = await importSessions(sources, {
        dir,
        onProgress: (done, total) => {
          if (total < 20) return;
          const now = Date.now();
          if (tty) process.stderr.write(`\rlapse: importing ${done}/${total} sessions…${done === total ? '\n' : ''}`);
          else if (now - lastLine > 5000 || done === total) {
            lastLine = now;
            process.stderr.write(`lapse: imported ${done}/${total} sessions\n`);
          }
        },
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      if (!roots.length) {
        process.stdout.write('no Claude Code or Codex transcripts found (looked in ~/.claude/projects and ~/.codex/sessions; give a PATH)\n');
        return;
      }
      const by = (s: string) => result.imported.filter((i) => i.source === s).length;
      process.stdout.write(
        `imported ${result.imported.length} session${result.imported.length === 1 ? '' : 's'} (${by('claude-code-transcript')} Claude Code, ${by('codex-rollout')} Codex), ` +
          `${result.skipped} unchanged or empty skipped, ${result.errors.length} failed · traces in ${dir}\n`,
      );
      for (const e of result.errors.slice(0, 10)) process.stdout.write(`  failed: ${e.path}: ${e.error}\n`);
      if (result.imported.length) process.stdout.write('next: `lapse report` sums them up; `lapse ls` lists them\n');
    });
}

import type { Command } from 'commander';
import { runHook } from '../hook.js';
import { examples } from '../args.js';

/** `rdv hook <agent>`: what the hooks rdv gives each agent session run (main.ts takes a faster way to the same code). */
export function registerHook(program: Command): void {
  const hook = program
    .command('hook')
    .description("report an agent's hook event to rdv: run by the hooks rdv sets up for each agent session; silent, always exits 0")
    .argument('<agent>', 'claude, codex, gemini or opencode')
    .argument('[event]', "the event JSON (Codex's notify passes it here); otherwise it is read from stdin")
    .action(async (agent: string, event: string | undefined) => {
      await runHook(event === undefined ? [agent] : [agent, event]);
    });
  examples(hook, ["echo '{\"hook_event_name\":\"Stop\"}' | rdv hook claude   # inside an rdv agent session"]);
}

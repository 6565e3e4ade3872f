import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import { z } from 'zod';
import { AGENTS, SESSION_STATUSES } from '@rdv/core/schemas';
import { examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { cliCredentials } from '../credentials.js';

const MAIN_JS = fileURLToPath(new URL('../main.js', import.meta.url));
const ShellSchema = z.enum(['bash', 'zsh'], { message: 'must be bash or zsh' });

/** The shell script: it asks `rdv __complete` for candidates, so completions follow the commands as they change. */
export function completionScript(shell: 'bash' | 'zsh'): string {
  const self = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN_JS)} __complete`;
  if (shell === 'bash') {
    return `# rdv completion for bash. Load it with:  source <(rdv completion bash)   (e.g. in ~/.bashrc)
_rdv_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(${self} -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
  if [ \${#COMPREPLY[@]} -eq 0 ]; then compopt -o default 2>/dev/null; fi
}
complete -F _rdv_complete rdv
`;
  }
  return `#compdef rdv
# rdv completion for zsh. Load it with:  source <(rdv completion zsh)   (after compinit, e.g. in ~/.zshrc)
_rdv() {
  local -a candidates
  candidates=("\${(@f)$(${self} -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -Q -- "\${candidates[@]}"
  else
    _files
  fi
}
compdef _rdv rdv
`;
}

const takesValue = (o: Option) => o.required || o.optional;
const visible = (cmd: Command) => cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
const allOptions = (cmd: Command): Option[] => {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options);
  return out;
};

async function dynamic(ctx: CliContext, kind: string): Promise<string[]> {
  if (kind === 'agent') return [...AGENTS];
  if (kind === 'status') return [...SESSION_STATUSES, 'open', 'all'];
  if (kind === 'service') return ['api', 'terminal', 'web', 'supervisor'];
  if (kind === 'shell') return ['bash', 'zsh'];
  if (!['session', 'folder', 'token'].includes(kind) || !cliCredentials(ctx.config())) return [];
  const api = ctx.api();
  if (kind === 'session') return (await api.GET('/api/sessions', { params: { query: { status: 'open' } } })).items.map((s) => s.name);
  if (kind === 'folder') return ['none', ...(await api.GET('/api/folders')).items.map((f) => f.name)];
  return (await api.GET('/api/tokens')).items.filter((t) => !t.revokedAt).map((t) => t.name);
}

/** What an argument or option value is, judged by its name: session, folder, agent, … */
function kindOf(name: string): string {
  const n = name.replace(/^-+/, '').replace(/\.\.\.$/, '');
  if (/^sessions?$/.test(n)) return 'session';
  if (/^(folder|parent)$/.test(n)) return 'folder';
  if (/^tokens?$/.test(n)) return 'token';
  return n;
}

/** Candidates for the last of `words` (the words typed after `rdv`, the current one last). */
export async function complete(program: Command, ctx: CliContext, words: string[]): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  let cmd = program;
  let positional = 0;
  let valueOf: Option | null = null;
  for (const word of words.slice(0, -1)) {
    if (valueOf) {
      valueOf = null;
      continue;
    }
    if (word.startsWith('-')) {
      const opt = allOptions(cmd).find((o) => o.long === word || o.short === word);
      if (opt && takesValue(opt) && !word.includes('=')) valueOf = opt;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) cmd = sub;
    else positional++;
  }
  let candidates: string[];
  if (valueOf) candidates = await dynamic(ctx, kindOf(valueOf.long ?? ''));
  else if (current.startsWith('-')) candidates = allOptions(cmd).flatMap((o) => (o.long ? [o.long] : [])).concat('--help');
  else if (visible(cmd).length) candidates = visible(cmd).map((c) => c.name());
  else {
    const args = cmd.registeredArguments;
    const arg = args[Math.min(positional, args.length - 1)];
    candidates = arg && (positional < args.length || arg.variadic) ? await dynamic(ctx, kindOf(arg.name())) : [];
  }
  return [...new Set(candidates)].filter((c) => c.startsWith(current));
}

/** `rdv completion bash|zsh`, and the hidden `rdv __complete` its scripts call. */
export function registerCompletion(program: Command): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      process.stdout.write(completionScript(parseArgs(ShellSchema, shell, 'shell')));
    });
  examples(cmd, [
    'source <(rdv completion bash)                     # now, in bash',
    'rdv completion bash > ~/.local/share/bash-completion/completions/rdv',
    'source <(rdv completion zsh)                      # in ~/.zshrc, after compinit',
  ]);

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .action(async (words: string[] | undefined, _o: unknown, command: Command) => {
      try {
        const found = await complete(program, contextFor(command), words?.length ? words : ['']);
        if (found.length) process.stdout.write(`${found.join('\n')}\n`);
      } catch {
        // Completion must never print errors into the user's command line.
      }
    });
}

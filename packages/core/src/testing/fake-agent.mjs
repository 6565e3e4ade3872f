// A stand-in for a coding agent CLI in tests and the bench, reachable only through its hooks:
// it shows nothing an rdv screen recogniser could read, and reports its state the way the real
// one does (see the README's hooks section and agent-hooks reference):
//   claude    runs each hook of its `--settings <file>` as `sh -c <command>`, the event JSON on
//             stdin, one after another, matchers applied
//   codex     runs `-c notify=[…]` with the JSON as the last argument, not waited for
//   gemini    runs the hooks of $GEMINI_CLI_SYSTEM_DEFAULTS_PATH like Claude Code does
//   opencode  loads the plugins in $OPENCODE_CONFIG_DIR/plugins and hands them bus events
// Usage: node fake-agent.mjs <agent> [the agent's own arguments]. It reads keys (raw mode):
// a line then Enter is a prompt naming what to do:
//   work                      one turn with a tool call, then the turn ends
//   replay <file>             one turn that prints <file> (a recorded transcript), then ends
//   permission <command>      asks to run <command>: Enter allows, Esc denies
//   question <q>|<a>|<b>…     asks <q> with options: Down moves, Enter picks
//   fail                      the turn fails;  exit  the session ends and it exits
// Each answer and each hook run is appended to $FAKE_AGENT_LOG as a JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [agent, ...args] = process.argv.slice(2);
const sessionId = randomUUID();
const log = (entry) => {
  if (process.env.FAKE_AGENT_LOG) appendFileSync(process.env.FAKE_AGENT_LOG, `${JSON.stringify({ at: Date.now(), ...entry })}\n`);
};
const argAfter = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

/** Runs command hooks as Claude Code and Gemini CLI do: sh -c, JSON on stdin, in order, waited for. */
function runCommandHooks(settingsFile, event, matchOn) {
  if (!settingsFile) return;
  const groups = JSON.parse(readFileSync(settingsFile, 'utf8')).hooks?.[event.hook_event_name] ?? [];
  for (const group of groups) {
    const m = group.matcher;
    if (m && m !== '*' && !new RegExp(`^(?:${m})$`).test(matchOn ?? '')) continue;
    for (const h of group.hooks ?? []) {
      const started = Date.now();
      const r = spawnSync('sh', ['-c', h.command], { input: JSON.stringify(event), encoding: 'utf8', timeout: 30_000 });
      log({ hook: event.hook_event_name, code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started });
    }
  }
}

let plugins = null;
async function openCodeEmit(type, properties) {
  if (!plugins) {
    const dir = join(process.env.OPENCODE_CONFIG_DIR ?? '/nonexistent', 'plugins');
    plugins = [];
    let files = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    } catch {
      // No plugin folder: nothing to tell.
    }
    for (const f of files) {
      const mod = await import(pathToFileURL(join(dir, f)).href);
      for (const plugin of Object.values(mod)) plugins.push(await plugin({}));
    }
  }
  for (const p of plugins) await p.event?.({ event: { type, properties } });
  log({ hook: type, code: 0, stdout: '', stderr: '' });
}

/** One state change, in the agent's own vocabulary. */
async function emit(kind, data = {}) {
  const common = { session_id: sessionId, transcript_path: `/tmp/${sessionId}.jsonl`, cwd: process.cwd() };
  if (agent === 'claude') {
    const names = {
      start: ['SessionStart', { source: 'startup' }],
      prompt: ['UserPromptSubmit', { prompt: data.prompt }],
      tool: ['PreToolUse', { tool_name: data.tool ?? 'Bash', tool_input: data.input ?? { command: 'ls' } }],
      toolDone: ['PostToolUse', { tool_name: data.tool ?? 'Bash', tool_input: data.input ?? {}, tool_response: {} }],
      permission: ['PermissionRequest', { tool_name: 'Bash', tool_input: { command: data.command } }],
      question: ['PreToolUse', { tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: data.question, options: (data.options ?? []).map((label) => ({ label })) }] } }],
      stop: ['Stop', { stop_hook_active: false, last_assistant_message: data.message ?? 'Done.' }],
      fail: ['StopFailure', { error: 'API Error: 529 overloaded' }],
      end: ['SessionEnd', { reason: 'prompt_input_exit' }],
    }[kind];
    const [name, fields] = names;
    const matchOn = fields.tool_name ?? fields.notification_type;
    runCommandHooks(argAfter('--settings'), { ...common, hook_event_name: name, ...fields }, matchOn);
    if (kind === 'permission') {
      const notice = { ...common, hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' };
      runCommandHooks(argAfter('--settings'), notice, 'permission_prompt');
    }
  } else if (agent === 'gemini') {
    const names = {
      start: ['SessionStart', { source: 'startup' }],
      prompt: ['BeforeAgent', { prompt: data.prompt }],
      tool: ['BeforeTool', { tool_name: 'run_shell_command', tool_input: { command: 'ls' } }],
      toolDone: ['AfterTool', { tool_name: 'run_shell_command', tool_input: {} }],
      permission: ['Notification', { notification_type: 'ToolPermission', message: `Allow execution of: ${data.command}?`, details: { type: 'exec', command: data.command } }],
      question: ['Notification', { notification_type: 'ToolPermission', message: data.question, details: { type: 'ask_user', questions: [{ question: data.question, options: (data.options ?? []).map((label) => ({ label })) }] } }],
      stop: ['AfterAgent', { prompt: '', prompt_response: data.message ?? 'Done.', stop_hook_active: false }],
      fail: ['AfterAgent', { prompt: '', prompt_response: 'error', stop_hook_active: false }],
      end: ['SessionEnd', { reason: 'exit' }],
    }[kind];
    runCommandHooks(process.env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH, { ...common, timestamp: new Date().toISOString(), hook_event_name: names[0], ...names[1] }, names[1].tool_name ?? names[1].notification_type);
  } else if (agent === 'codex') {
    if (kind !== 'stop') return;
    const notify = args.map((a, i) => (args[i - 1] === '-c' && a.startsWith('notify=') ? a.slice('notify='.length) : null)).find(Boolean);
    if (!notify) return;
    const argv = JSON.parse(notify);
    const payload = { type: 'agent-turn-complete', 'thread-id': sessionId, 'turn-id': randomUUID(), cwd: process.cwd(), 'input-messages': [data.prompt ?? ''], 'last-assistant-message': data.message ?? 'Done.' };
    spawn(argv[0], [...argv.slice(1), JSON.stringify(payload)], { stdio: 'ignore', detached: true }).unref();
    log({ hook: 'notify', code: 0, stdout: '', stderr: '' });
  } else if (agent === 'opencode') {
    const sid = `ses_${sessionId.replace(/-/g, '').slice(0, 20)}`;
    const events = {
      start: ['session.created', { info: { id: sid } }],
      prompt: ['session.status', { sessionID: sid, status: { type: 'busy' } }],
      permission: ['permission.asked', { id: 'per_1', sessionID: sid, permission: 'bash', patterns: [data.command] }],
      question: ['question.asked', { id: 'que_1', sessionID: sid, questions: [{ question: data.question, header: 'Q', options: (data.options ?? []).map((label) => ({ label })) }] }],
      toolDone: ['permission.replied', { sessionID: sid, requestID: 'per_1', reply: 'once' }],
      stop: ['session.idle', { sessionID: sid }],
      fail: ['session.error', { sessionID: sid, error: { name: 'APIError', data: { message: 'overloaded' } } }],
    }[kind];
    if (events) await openCodeEmit(events[0], events[1]);
  }
}

// ---- the terminal: raw keys, prompts, pending questions ----
let pending = null; // { kind: 'permission' | 'question', options?, choice }
let line = '';

async function onPrompt(text) {
  const [verb, ...rest] = text.trim().split(' ');
  const arg = rest.join(' ');
  await emit('prompt', { prompt: text });
  if (verb === 'work') {
    await emit('tool');
    await emit('toolDone');
    await emit('stop', { prompt: text });
  } else if (verb === 'replay') {
    await emit('tool');
    process.stdout.write(readFileSync(arg));
    await emit('toolDone');
    await emit('stop', { prompt: text });
  } else if (verb === 'permission') {
    await emit('tool', { input: { command: arg } });
    pending = { kind: 'permission', command: arg };
    await emit('permission', { command: arg });
  } else if (verb === 'question') {
    const [question, ...options] = arg.split('|');
    pending = { kind: 'question', options, choice: 0 };
    await emit('question', { question, options });
  } else if (verb === 'fail') {
    await emit('fail');
  } else if (verb === 'exit') {
    await emit('end');
    process.exit(0);
  }
}

async function answer(value) {
  const p = pending;
  pending = null;
  log({ answer: p.kind, value });
  if (p.kind === 'question') await emit('toolDone', { tool: 'AskUserQuestion', input: {} });
  else if (value === 'allow') await emit('toolDone', { input: { command: p.command } });
  await emit('stop', { message: value === 'deny' ? 'The user denied it.' : 'Done.' });
}

let queue = Promise.resolve();
function onKeys(chunk) {
  queue = queue.then(async () => {
    let s = chunk.toString('utf8');
    while (s.length) {
      if (s.startsWith('\u001b[B')) {
        if (pending?.kind === 'question') pending.choice = Math.min(pending.choice + 1, pending.options.length - 1);
        s = s.slice(3);
      } else if (s.startsWith('\u001b[A')) {
        if (pending?.kind === 'question') pending.choice = Math.max(pending.choice - 1, 0);
        s = s.slice(3);
      } else if (s[0] === '\u001b') {
        if (pending?.kind === 'permission') await answer('deny');
        s = s.slice(1);
      } else if (s[0] === '\r' || s[0] === '\n') {
        const text = line;
        line = '';
        s = s.slice(1);
        if (pending && !text) await answer(pending.kind === 'question' ? pending.options[pending.choice] : 'allow');
        else if (text.trim()) await onPrompt(text);
      } else if (s[0] === '\u0003') {
        process.exit(130);
      } else {
        line += s[0];
        s = s.slice(1);
      }
    }
  });
}

if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.on('data', onKeys);
await emit('start');
log({ started: agent, args });

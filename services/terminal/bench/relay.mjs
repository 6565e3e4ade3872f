#!/usr/bin/env node
// The floor for one more process on the keystroke path: the least a websocket relay can
// do. A ws server on a unix socket whose every connection runs `tmux attach` on node-pty
// and passes bytes through (JSON input frames in, binary output frames out): no auth, no
// validation, no fan-out, no flow control. The bench runs the same keystrokes through it
// so the service's echo can be read against what any separate relay process costs here.
//   node relay.mjs <socket path> <tmux argument>...   (e.g. -L <socket> attach-session -t =<name>)
// Prints "ready" on stdout once listening; ends with its parent (stdin closes).
import { unlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { sanitizedEnv } from '@rdv/core/tmux';
import { WebSocketServer } from 'ws';

const nodePty = createRequire(import.meta.url)('node-pty');
const [socketPath, ...tmuxArgs] = process.argv.slice(2);
if (!socketPath || tmuxArgs.length === 0) {
  process.stderr.write('usage: relay.mjs <socket path> <tmux argument>...\n');
  process.exit(2);
}

try {
  unlinkSync(socketPath);
} catch {
  // No stale socket.
}
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  const cols = Number(url.searchParams.get('cols') ?? 80);
  const rows = Number(url.searchParams.get('rows') ?? 24);
  const env = { ...sanitizedEnv(process.env), TERM: 'xterm-256color' };
  const pty = nodePty.spawn('tmux', tmuxArgs, { name: 'xterm-256color', cols, rows, env, encoding: null });
  pty.onData((chunk) => ws.send(chunk, { binary: true }));
  ws.on('message', (data) => pty.write(JSON.parse(data.toString()).data));
  ws.on('close', () => pty.kill());
});
server.listen(socketPath, () => process.stdout.write('ready\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

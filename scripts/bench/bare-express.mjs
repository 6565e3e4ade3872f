#!/usr/bin/env node
// The api bench's floor, in a process of its own as the api is: Express on a unix socket with
// JSON bodies parsed, answering the benched paths with the api's own bodies and nothing else but
// the work a path cannot do without: exec types the command and Enter into the same tmux session
// over the same kind of control-mode client the api types with. So the ratio is rdv's own cost
// (credentials, validation, lookups, the audit row), not tmux's.
//   node bare-express.mjs <socket> <session list JSON file> <tmux socket> <tmux session name>
import { readFileSync } from 'node:fs';
import express from 'express';
import { createSilentLogger } from '@rdv/core/log';
import { createKeyTyper, createTmux } from '@rdv/core/tmux';

const [socketPath, listFile, tmuxSocket, tmuxName] = process.argv.slice(2);
const listText = readFileSync(listFile, 'utf8');
const typer = createKeyTyper({ tmux: createTmux({ socket: tmuxSocket, configFile: '/dev/null' }), log: createSilentLogger() });
const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/api/sessions', (_req, res) => res.type('application/json').send(listText));
app.post('/api/sessions/:id/exec', (req, res, next) => {
  typer.type(tmuxName, String(req.body.command), ['Enter']).then(() => res.json({ sessionId: req.params.id, sent: true }), next);
});
app.listen(socketPath, () => process.stdout.write('ready\n'));
process.stdin.on('end', () => {
  typer.dispose();
  process.exit(0);
});
process.stdin.resume();

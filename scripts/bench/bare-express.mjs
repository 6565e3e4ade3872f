#!/usr/bin/env node
// The api bench's floor, in a process of its own as the api is: Express on a unix socket with
// JSON bodies parsed, answering the benched paths with the api's own bodies and nothing else.
//   node bare-express.mjs <socket> <session list JSON file>
import { readFileSync } from 'node:fs';
import express from 'express';

const [socketPath, listFile] = process.argv.slice(2);
const listText = readFileSync(listFile, 'utf8');
const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/api/sessions', (_req, res) => res.type('application/json').send(listText));
app.post('/api/sessions/:id/exec', (req, res) => res.json({ sessionId: req.params.id, sent: typeof req.body.command === 'string' }));
app.listen(socketPath, () => process.stdout.write('ready\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

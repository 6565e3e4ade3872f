// The terminal service's composition root: config → logger → startTerminal → signals.
// Flags: --home <dir>, --set section.key=value (see config/config.toml).
import { runService } from '@rdv/core/lifecycle';
import { startTerminal } from './server.js';

void runService('terminal', (config, log, shutdown) => startTerminal(config, log, shutdown));

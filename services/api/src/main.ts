// The api's composition root: config → logger → startApi → signals.
// Flags: --home <dir>, --set section.key=value (see config/config.toml).
import { runService } from '@rdv/core/lifecycle';
import { startApi } from './server.js';

void runService('api', startApi);

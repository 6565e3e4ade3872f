import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/index.js';
import { createLogger } from './index.js';

describe('createLogger', () => {
  it('redacts tokens, authorization headers and cookies', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ stream, level: 'info' });
    log.info({ token: 'rdv_cli_secret1', req: { headers: { authorization: 'Bearer rdv_cli_secret2', cookie: 'rdv_session=secret3', 'x-rdv-service-token': 'secret4' } }, tokenId: 'visible-id' }, 'request');
    log.child({ component: 'auth' }).warn({ user: { apiKey: 'rdv_key_secret5' } }, 'denied');
    await waitFor(() => lines.length >= 2, 'both lines to reach the stream');
    const out = lines.join('');
    for (const secret of ['secret1', 'secret2', 'secret3', 'secret4', 'secret5']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('visible-id');
    expect(out).toContain('"component":"auth"');
  });
});

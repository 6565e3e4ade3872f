import { describe, expect, it } from 'vitest';
import { loadConfig } from '@rdv/core/config';
import { useTempDir } from '@rdv/core/testing';
import { webUrl } from '../src/commands/login-link.js';

const urlFor = (listen: string) => webUrl(loadConfig({ env: { RDV_HOME: useTempDir(), RDV_WEB_LISTEN: listen } }));

describe('webUrl', () => {
  it('turns the web listen setting into the address to open', () => {
    expect(urlFor('127.0.0.1:6001')).toBe('http://127.0.0.1:6001');
    expect(urlFor('6002')).toBe('http://127.0.0.1:6002');
    expect(urlFor('0.0.0.0:6003')).toBe('http://127.0.0.1:6003');
    expect(urlFor('/home/me/.remote-dev/run/web.sock')).toBeNull();
  });
});

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@rdv/core/config';
import { writeListenFile } from '@rdv/core/lifecycle';
import { useTempDir } from '@rdv/core/testing';
import { runningWebUrl, webUrl } from '../src/commands/login-link.js';

const urlFor = (listen: string) => webUrl(loadConfig({ env: { RDV_HOME: useTempDir(), RDV_WEB_LISTEN: listen } }));

describe('webUrl', () => {
  it('turns the web listen setting into the address to open', () => {
    expect(urlFor('127.0.0.1:6001')).toBe('http://127.0.0.1:6001');
    expect(urlFor('6002')).toBe('http://127.0.0.1:6002');
    expect(urlFor('0.0.0.0:6003')).toBe('http://127.0.0.1:6003');
    expect(urlFor('/home/me/.remote-dev/run/web.sock')).toBeNull();
  });
});

describe('runningWebUrl', () => {
  it('takes the address the running edge recorded, and the setting only when no edge runs', () => {
    const config = loadConfig({ env: { RDV_HOME: useTempDir(), RDV_WEB_LISTEN: '127.0.0.1:6001' } });
    expect(runningWebUrl(config)).toBe('http://127.0.0.1:6001');
    // This process stands in for a running edge.
    const remove = writeListenFile(config.paths.webListenFile, { url: 'http://127.0.0.1:41234' });
    expect(runningWebUrl(config)).toBe('http://127.0.0.1:41234');
    remove();
    writeListenFile(config.paths.webListenFile, { socket: '/srv/rdv/run/web.sock' });
    expect(runningWebUrl(config)).toBeNull();
    // A record left by an edge that died is not believed.
    const dead = Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
    writeFileSync(config.paths.webListenFile, JSON.stringify({ pid: dead, url: 'http://127.0.0.1:41234' }));
    expect(runningWebUrl(config)).toBe('http://127.0.0.1:6001');
  });
});

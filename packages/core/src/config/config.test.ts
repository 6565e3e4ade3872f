import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { loadConfig, parseConfigFlags } from './index.js';

describe('loadConfig', () => {
  it('uses defaults under RDV_HOME', () => {
    const home = useTempDir();
    const c = loadConfig({ env: { RDV_HOME: home, HOME: '/home/x' } });
    expect(c.paths.home).toBe(home);
    expect(c.paths.apiSocket).toBe(join(home, 'run', 'api.sock'));
    expect(c.paths.cliToken).toBe(join(home, 'cli-token'));
    expect(c.paths.db).toBe(join(home, 'sqlite.db'));
    expect(c.tmux.socket).toBe('rdv');
    expect(c.monitoring.stall_threshold_seconds).toBe(300);
    expect(c.web.listen).toBe('127.0.0.1:6001');
  });

  it('defaults RDV_HOME to ~/.remote-dev', () => {
    const c = loadConfig({ env: { HOME: '/home/someone' } });
    expect(c.paths.home).toBe('/home/someone/.remote-dev');
  });

  it('reads config.toml, then RDV_* variables, then flags', () => {
    const home = useTempDir();
    writeFileSync(join(home, 'config.toml'), 'owner_email = "me@example.com"\n[tmux]\nsocket = "fromfile"\nhistory_limit = 2000\n[log]\nlevel = "warn"\n');
    const fromFile = loadConfig({ env: { RDV_HOME: home } });
    expect(fromFile.tmux.socket).toBe('fromfile');
    expect(fromFile.tmux.history_limit).toBe(2000);
    expect(fromFile.owner_email).toBe('me@example.com');
    const fromEnv = loadConfig({ env: { RDV_HOME: home, RDV_TMUX_SOCKET: 'fromenv', RDV_TMUX_HISTORY_LIMIT: '3000' } });
    expect(fromEnv.tmux.socket).toBe('fromenv');
    expect(fromEnv.tmux.history_limit).toBe(3000);
    expect(fromEnv.log.level).toBe('warn');
    const fromFlag = loadConfig({ env: { RDV_HOME: home, RDV_TMUX_SOCKET: 'fromenv' }, flags: { 'tmux.socket': 'fromflag' } });
    expect(fromFlag.tmux.socket).toBe('fromflag');
  });

  it('knows the Cloudflare aliases and comma lists', () => {
    const home = useTempDir();
    const c = loadConfig({
      env: { RDV_HOME: home, RDV_CF_TEAM_DOMAIN: 'team.cloudflareaccess.com', RDV_CF_AUD: 'aud1', RDV_ALLOWED_EMAILS: 'a@x.io, b@y.io' },
    });
    expect(c.cloudflare.team_domain).toBe('team.cloudflareaccess.com');
    expect(c.cloudflare.aud).toBe('aud1');
    expect(c.cloudflare.allowed_emails).toEqual(['a@x.io', 'b@y.io']);
  });

  it('names the key and its source when a value is bad', () => {
    const home = useTempDir();
    expect(() => loadConfig({ env: { RDV_HOME: home, RDV_TMUX_SOCKET: '../evil socket' } })).toThrow(/tmux\.socket \(from RDV_TMUX_SOCKET\)/);
    expect(() => loadConfig({ env: { RDV_HOME: home, RDV_MONITORING_INTERVAL_SECONDS: 'soon' } })).toThrow(/monitoring\.interval_seconds/);
    writeFileSync(join(home, 'config.toml'), '[tmux]\nsockett = "x"\n');
    expect(() => loadConfig({ env: { RDV_HOME: home } })).toThrow(/unknown setting tmux\.sockett/);
    writeFileSync(join(home, 'config.toml'), '[tmux\n');
    expect(() => loadConfig({ env: { RDV_HOME: home } })).toThrow(/not valid TOML/);
  });

  it('has the continuity settings of [sessions]: log size, restore, stop timeout', () => {
    const home = useTempDir();
    const c = loadConfig({ env: { RDV_HOME: home } });
    expect(c.sessions).toMatchObject({ log_max_bytes: 10 * 1024 * 1024, restore: 'all', stop_timeout_seconds: 5 });
    expect(c.paths.sessionsDir).toBe(join(home, 'sessions'));
    const set = loadConfig({ env: { RDV_HOME: home, RDV_SESSIONS_RESTORE: 'agents', RDV_SESSIONS_LOG_MAX_BYTES: '1048576' } }).sessions;
    expect(set).toMatchObject({ restore: 'agents', log_max_bytes: 1_048_576 });
    expect(() => loadConfig({ env: { RDV_HOME: home, RDV_SESSIONS_RESTORE: 'some' } })).toThrow(/sessions\.restore \(from RDV_SESSIONS_RESTORE\)/);
    expect(() => loadConfig({ home, flags: { 'sessions.log_max_bytes': '100' } })).toThrow(/sessions\.log_max_bytes/);
  });

  it('checks settings against each other in the terminal section', () => {
    const home = useTempDir();
    expect(() => loadConfig({ env: { RDV_HOME: home, RDV_TERMINAL_LOW_WATERMARK_KB: '2048' } })).toThrow(
      /terminal\.low_watermark_kb \(from RDV_TERMINAL_LOW_WATERMARK_KB\): must be below high_watermark_kb \(1024\)/,
    );
    expect(() => loadConfig({ home, flags: { 'terminal.keepalive_timeout_seconds': '30' } })).toThrow(
      /terminal\.keepalive_timeout_seconds \(from --terminal\.keepalive_timeout_seconds\): must be longer than keepalive_interval_seconds \(30\)/,
    );
    const ok = loadConfig({ home, flags: { 'terminal.high_watermark_kb': '4096', 'terminal.low_watermark_kb': '512' } }).terminal;
    expect(ok).toMatchObject({ high_watermark_kb: 4096, low_watermark_kb: 512, stall_kb: 2048 });
  });

  it('the shipped config/config.toml parses and documents every key', async () => {
    const { readFileSync } = await import('node:fs');
    const { configKeys } = await import('./index.js');
    const shipped = join(__dirname, '..', '..', '..', '..', 'config', 'config.toml');
    const text = readFileSync(shipped, 'utf8');
    const home = useTempDir();
    writeFileSync(join(home, 'config.toml'), text);
    expect(() => loadConfig({ env: { RDV_HOME: home } })).not.toThrow();
    for (const key of configKeys()) {
      const leaf = key.split('.').pop()!;
      expect(text, `config.toml documents ${key}`).toMatch(new RegExp(`^#?\\s*${leaf}\\s*=`, 'm'));
    }
  });

  it('takes --home and --set flags, which beat the environment', () => {
    const home = useTempDir();
    const parsed = parseConfigFlags(['--home', home, '--set', 'tmux.socket=flagged', '--set=log.level=debug', '--other']);
    expect(parsed).toEqual({ home, flags: { 'tmux.socket': 'flagged', 'log.level': 'debug' } });
    const c = loadConfig({ env: { RDV_TMUX_SOCKET: 'env' }, ...parsed });
    expect(c.paths.home).toBe(home);
    expect(c.tmux.socket).toBe('flagged');
    expect(c.sources['tmux.socket']).toBe('--tmux.socket');
    expect(() => parseConfigFlags(['--set', 'tmux.nope=1'])).toThrow(/unknown setting tmux.nope/);
    expect(() => parseConfigFlags(['--set', 'novalue'])).toThrow(/section.key=value/);
    expect(() => parseConfigFlags(['--home'])).toThrow(/needs a value/);
  });
});

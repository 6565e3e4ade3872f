import { describe, expect, it } from 'vitest';
import { CreateHostSchema, SSH_URL, SshDestinationSchema } from '../schemas/index.js';
import { linkArgv, localSockets, sshOptions } from './ssh.js';

const settings = { ssh: 'ssh', keepaliveSeconds: 10, keepaliveCount: 3, connectTimeoutSeconds: 20, defaultKnownHosts: '/home/me/.remote-dev/known_hosts' };
const target = { destination: 'dev@box2.lan', port: 2222, identityFile: '/k/id', knownHostsFile: null };

describe('ssh argv for a host link', () => {
  it('forwards exactly the two sockets, with the destination after --', () => {
    const local = localSockets('/home/me/.remote-dev/run', 'abc');
    const argv = linkArgv(target, settings, local, '/srv/rdv');
    expect(argv.slice(-2)).toEqual(['--', 'dev@box2.lan']);
    expect(argv.filter((a) => a === '-L')).toHaveLength(2);
    expect(argv).toContain('/home/me/.remote-dev/run/hosts/abc/api.sock:/srv/rdv/run/api.sock');
    expect(argv).toContain('/home/me/.remote-dev/run/hosts/abc/terminal.sock:/srv/rdv/run/terminal.sock');
    expect(argv).toEqual(expect.arrayContaining(['-N', 'ExitOnForwardFailure=yes', 'BatchMode=yes', 'StreamLocalBindMask=0177', 'IdentitiesOnly=yes']));
    expect(argv.join(' ')).toContain('-F none');
    expect(argv.join(' ')).toContain('-p 2222');
    expect(argv).toContain('UserKnownHostsFile=/home/me/.remote-dev/known_hosts');
  });

  it('refuses a destination that ssh would read as an option, or with shell characters', () => {
    for (const bad of ['-oProxyCommand=touch /tmp/x', 'a b', 'x;rm', '$(id)@h', 'h\nx', '']) {
      expect(SshDestinationSchema.safeParse(bad).success, bad).toBe(false);
      expect(() => sshOptions({ ...target, destination: bad }, settings)).toThrow();
    }
    for (const good of ['box2', 'dev@box2.lan', 'dev@10.0.0.7', 'dev@[::1]', 'ssh://dev@box2:2222', 'ssh://[::1]:22']) {
      expect(SshDestinationSchema.safeParse(good).success, good).toBe(true);
    }
  });

  it('reads the port out of an ssh:// destination', () => {
    expect(SSH_URL.exec('ssh://dev@box2.lan:2222')?.slice(1)).toEqual(['dev@box2.lan', '2222']);
    expect(SSH_URL.exec('ssh://box2')?.slice(1)).toEqual(['box2', undefined]);
    expect(CreateHostSchema.safeParse({ name: 'b', destination: 'dev@b', token: 'rdv_cli_0123456789abcdef', extra: 1 }).success).toBe(false);
  });
});

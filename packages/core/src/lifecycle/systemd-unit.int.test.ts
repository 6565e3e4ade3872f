import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { renderSystemdUnit, SYSTEMD_UNIT_TEMPLATE, userUnitPath } from './systemd-unit.js';

const REPO = join(SYSTEMD_UNIT_TEMPLATE, '..', '..');

/** `systemd-analyze --user verify` on a unit file: what systemd itself says about it (empty when all is well). */
function verify(unit: string): { status: number | null; output: string } {
  const dir = useTempDir();
  const runtime = join(dir, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  const file = join(dir, 'rdv.service');
  writeFileSync(file, unit);
  const r = spawnSync('systemd-analyze', ['--user', 'verify', file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_LEVEL: 'notice' },
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('the systemd user unit (checked by systemd-analyze)', () => {
  it('ships a unit that runs `rdv up --foreground` from the repository, restarting on failure', () => {
    const text = readFileSync(SYSTEMD_UNIT_TEMPLATE, 'utf8');
    expect(text).toMatch(/^ExecStart=\S+ packages\/cli\/dist\/main\.js up --foreground$/m);
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^WantedBy=default\.target$/m);
  });

  it('renders for this checkout and node, and systemd accepts it without a word', () => {
    const unit = renderSystemdUnit({ repoDir: REPO, nodePath: process.execPath, home: '/home/me/.remote-dev', path: '/home/me/.local/bin:/usr/bin:/bin' });
    expect(unit).toContain(`WorkingDirectory=${REPO}\n`);
    expect(unit).toContain(`ExecStart="${process.execPath}" packages/cli/dist/main.js up --foreground\n`);
    expect(unit).toContain('Environment="RDV_HOME=/home/me/.remote-dev"\n');
    expect(unit).toContain('Environment="PATH=/home/me/.local/bin:/usr/bin:/bin"\n');
    expect(verify(unit)).toEqual({ status: 0, output: '' });
  });

  it('escapes what systemd would expand, and refuses what a unit cannot carry', () => {
    const dir = join(useTempDir(), 'rdv 100%x $HOME');
    mkdirSync(dir);
    // A node whose path has what ExecStart would expand: "$" and "%".
    mkdirSync(join(dir, 'bin $PATH 5%x'));
    const node = join(dir, 'bin $PATH 5%x', 'node');
    symlinkSync(process.execPath, node);
    const unit = renderSystemdUnit({ repoDir: dir, nodePath: node, home: join(dir, '%h') });
    expect(unit).toContain(`ExecStart="${node.replace(/%/g, '%%')}" packages/`);
    expect(unit).toContain(`WorkingDirectory=${dir.replace('%', '%%')}\n`);
    expect(unit).toContain(`Environment="RDV_HOME=${dir.replace('%', '%%')}/%%h"`);
    expect(verify(unit)).toEqual({ status: 0, output: '' });
    // Unescaped, "%x" is a bad specifier: systemd would refuse the unit, so the check above is not vacuous.
    expect(verify(unit.replace(/%%/g, '%')).output).toMatch(/Failed to resolve unit specifiers/);

    expect(() => renderSystemdUnit({ repoDir: 'relative/dir', nodePath: process.execPath })).toThrow(/absolute/);
    expect(() => renderSystemdUnit({ repoDir: REPO, nodePath: '/opt/"node"/bin/node' })).toThrow(/quotes/);
    expect(() => renderSystemdUnit({ repoDir: '/a\nExecStartPre=/bin/evil', nodePath: process.execPath })).toThrow(/control characters/);
    expect(() => renderSystemdUnit({ repoDir: REPO, nodePath: process.execPath, path: '/bin\n[Install]' })).toThrow(/control characters/);
  });

  it('goes under the XDG config folder', () => {
    expect(userUnitPath({ HOME: '/home/me' })).toBe('/home/me/.config/systemd/user/rdv.service');
    expect(userUnitPath({ HOME: '/home/me', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/systemd/user/rdv.service');
  });
});

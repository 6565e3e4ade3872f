import { describe, expect, it } from 'vitest';
import { compareUrlFor, parseRepositoryUrl, type RepositoryUrl } from './repository-url.js';

const parsed = (url: string): RepositoryUrl => {
  const r = parseRepositoryUrl(url);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('parseRepositoryUrl', () => {
  it('reads ssh, scp-like, https and local forms', () => {
    expect(parsed('git@github.com:owner/repo.git')).toEqual({ kind: 'ssh', url: 'git@github.com:owner/repo.git', user: 'git', host: 'github.com', port: null, path: 'owner/repo.git' });
    expect(parsed('ssh://git@git.example.com:2222/team/app.git')).toMatchObject({ kind: 'ssh', host: 'git.example.com', port: 2222, path: '/team/app.git' });
    expect(parsed('https://gitlab.com/group/sub/app.git')).toMatchObject({ kind: 'https', host: 'gitlab.com', path: '/group/sub/app.git' });
    expect(parsed('/srv/git/app.git')).toEqual({ kind: 'local', url: '/srv/git/app.git', path: '/srv/git/app.git' });
    expect(parsed('file:///srv/git/app.git')).toMatchObject({ kind: 'local', path: '/srv/git/app.git' });
  });

  it('refuses options, remote helpers, credentials and other schemes', () => {
    const refused = {
      '-oProxyCommand=touch /tmp/x': /must not contain spaces/,
      '-oProxyCommand=x': /must not start with "-"/,
      '--upload-pack=x': /must not start with "-"/,
      'ext::sh': /remote helpers \(ext::\)/,
      'fd::3': /remote helpers \(fd::\)/,
      'ssh://-oProxyCommand=x/repo': /not a host name/,
      'git@-oProxy:repo': /not a host name/,
      'ssh://host/-x/repo': /no part starting with -/,
      'https://user:secret@example.com/repo.git': /no credentials/,
      'http://example.com/repo.git': /http:\/\/ is not supported/,
      'file:///srv/../etc': /must not contain \.\./,
      'relative/path': /use ssh:\/\//,
      'file:///tmp/%E0': /broken %-escape/,
      'https://example.com/a%E0.git': /broken %-escape/,
    };
    for (const [url, message] of Object.entries(refused)) {
      const r = parseRepositoryUrl(url);
      expect(r.ok, url).toBe(false);
      if (!r.ok) expect(r.message, url).toMatch(message);
    }
  });
});

describe('compareUrlFor', () => {
  it('gives GitHub compare and GitLab merge request URLs, and nothing for other hosts', () => {
    expect(compareUrlFor(parsed('git@github.com:owner/repo.git'), 'fix-42', 'main')).toBe('https://github.com/owner/repo/compare/main...fix-42?expand=1');
    expect(compareUrlFor(parsed('https://gitlab.com/group/sub/app.git'), 'feat/x', 'main')).toBe(
      'https://gitlab.com/group/sub/app/-/merge_requests/new?merge_request%5Bsource_branch%5D=feat%2Fx&merge_request%5Btarget_branch%5D=main',
    );
    expect(compareUrlFor(parsed('ssh://git@gitlab.example.com:2222/team/app.git'), 'b', null)).toBe('https://gitlab.example.com/team/app/-/merge_requests/new?merge_request%5Bsource_branch%5D=b');
    expect(compareUrlFor(parsed('ssh://root@127.0.0.1:2222/srv/app.git'), 'b', 'main')).toBeNull();
    expect(compareUrlFor(parsed('/srv/app.git'), 'b', 'main')).toBeNull();
  });
});

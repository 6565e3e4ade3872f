import type { RdvConfig } from '@rdv/core/config';
import { AppError } from '@rdv/core/errors';
import { describeListen, isLoopbackHost, isSafeCertsUrl, parseListen, type ListenTarget } from './listen.js';

/** Checks the auth mode against the listen address; throws AppError(invalid_input) saying what to change. */
export function checkEdgeConfig(config: RdvConfig): { target: ListenTarget; cloudflare: boolean } {
  const cf = config.cloudflare;
  const hasTeam = cf.team_domain.trim() !== '';
  const hasAud = cf.aud.trim() !== '';
  if (hasTeam !== hasAud) {
    throw new AppError('invalid_input', `Cloudflare Access needs both cloudflare.team_domain and cloudflare.aud (RDV_CF_TEAM_DOMAIN, RDV_CF_AUD); only ${hasTeam ? 'team_domain' : 'aud'} is set`);
  }
  const target = parseListen(config.web.listen, config.paths.home);
  if (!hasTeam && target.kind === 'tcp' && !isLoopbackHost(target.host)) {
    throw new AppError(
      'invalid_input',
      `refusing to listen on ${describeListen(target)} (web.listen, from ${config.sources['web.listen'] ?? 'defaults'}): ` +
        'without Cloudflare Access the web edge accepts only loopback addresses (127.0.0.1, ::1, localhost), because a login ' +
        'link is all that protects it. Use 127.0.0.1:<port>, or set cloudflare.team_domain and cloudflare.aud to put it behind Cloudflare Access.',
    );
  }
  const certs = cf.certs_url.trim();
  if (hasTeam && certs && !isSafeCertsUrl(certs)) {
    throw new AppError(
      'invalid_input',
      `cloudflare.certs_url "${certs}" (from ${config.sources['cloudflare.certs_url'] ?? 'defaults'}) must be an https URL, or http only on a loopback address: the keys that vouch for every sign-in must not travel in the clear`,
    );
  }
  if (!hasTeam && target.kind === 'unix') {
    // A unix socket is there for cloudflared, which brings in requests from the internet:
    // local mode (a login link, a cookie that is never Secure) must never face those.
    throw new AppError(
      'invalid_input',
      `refusing to listen on the unix socket ${target.path} (web.listen, from ${config.sources['web.listen'] ?? 'defaults'}) without Cloudflare Access: ` +
        'a unix socket is for cloudflared, and local mode (login links) is only for this machine. ' +
        'Set cloudflare.team_domain and cloudflare.aud, or listen on 127.0.0.1:<port> for local use.',
    );
  }
  return { target, cloudflare: hasTeam };
}

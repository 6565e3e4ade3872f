import type { Command } from 'commander';
import type { RdvClient } from '@rdv/client';
import type { RdvConfig } from '@rdv/core/config';
import { readListenFile } from '@rdv/core/lifecycle';
import type { LoginLink } from '@rdv/core/schemas';
import { examples } from '../args.js';
import { contextFor } from '../context.js';

/** The web edge's base URL, or null when it listens on a unix socket (behind cloudflared). */
export function webUrl(config: RdvConfig): string | null {
  const listen = config.web.listen;
  if (listen.startsWith('/') || listen.startsWith('unix:')) return null;
  // A bare port means loopback, as the web edge reads it.
  if (/^\d+$/.test(listen)) return `http://127.0.0.1:${listen}`;
  // An unspecified address is reachable on loopback too.
  return `http://${listen.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:')}`;
}

/**
 * Where the running web edge listens, as it wrote in run/web.json: its URL, or null when
 * it listens on a unix socket. Only when no edge runs is the address guessed from the config.
 */
export function runningWebUrl(config: RdvConfig): string | null {
  const running = readListenFile(config.paths.webListenFile);
  if (running) return 'url' in running ? running.url : null;
  return webUrl(config);
}

/** A one-time login code and the link that uses it. */
export interface BrowserLoginLink extends LoginLink {
  url: string;
}

/** Asks the api for a one-time browser login code and builds the link to open. */
export async function createLoginLink(config: RdvConfig, api: RdvClient): Promise<BrowserLoginLink> {
  const { code, expiresAt } = await api.POST('/api/auth/login-links');
  const base = runningWebUrl(config) ?? 'https://<your rdv hostname>';
  return { url: `${base}/login?code=${encodeURIComponent(code)}`, code, expiresAt };
}

/** `rdv login-link`. */
export function registerLoginLink(program: Command): void {
  const cmd = program
    .command('login-link')
    .description('print a one-time link that logs a browser in to the web UI (local mode; valid 10 minutes)')
    .action(async (_opts, command: Command) => {
      const ctx = contextFor(command);
      const link = await createLoginLink(ctx.config(), ctx.api());
      if (ctx.out.json) return ctx.out.printJson(link);
      ctx.out.line(link.url);
      ctx.out.note(`valid until ${new Date(link.expiresAt).toLocaleTimeString()}, once`);
    });
  examples(cmd, ['rdv login-link', 'xdg-open "$(rdv login-link)"']);
}

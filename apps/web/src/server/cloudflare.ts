import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { isSafeCertsUrl } from './listen.js';

/** Cloudflare Access settings (config [cloudflare]). */
export interface CloudflareSettings {
  /** "myteam.cloudflareaccess.com" (a leading https:// and trailing / are tolerated). */
  teamDomain: string;
  /** The Access application's AUD tag. */
  aud: string;
  /** JWKS URL override; "" means https://<team>/cdn-cgi/access/certs. */
  certsUrl?: string;
  /** The owner's email (config owner_email): always admitted. */
  ownerEmail?: string;
  /**
   * Other emails admitted (config allowed_emails). Nobody else gets in, whoever Access
   * lets through: every admitted user's shells run as rdv's one OS account.
   */
  allowedEmails?: string[];
}

export type AccessResult =
  | { ok: true; email: string; /** Until when the token is accepted (exp plus the clock tolerance), in ms: what it opened closes then. */ expiresAtMs: number }
  | { ok: false; status: 401 | 403; reason: string };

export interface AccessVerifier {
  readonly issuer: string;
  readonly certsUrl: string;
  /** Verifies the token from Cf-Access-Jwt-Assertion (or the CF_Authorization cookie). Never throws. */
  verify(token: string | undefined): Promise<AccessResult>;
}

/** Seconds of clock difference with Cloudflare forgiven on exp and nbf. */
const CLOCK_TOLERANCE_S = 5;

const ClaimsSchema = z.object({ email: z.string().min(3).max(320).includes('@'), exp: z.number() });

/** "https://Team.cloudflareaccess.com/" → "team.cloudflareaccess.com". */
export function normalizeTeamDomain(value: string): string {
  return value.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

/**
 * A verifier of Cloudflare Access JWTs: RS256 only, issuer https://<team>, audience = AUD,
 * exp/nbf enforced, keys from the team's JWKS (fetched by jose, cached, refetched on an
 * unknown kid at most every 30 s). There is no way to skip verification.
 * `getKey` replaces the remote JWKS (tests).
 */
export function createAccessVerifier(settings: CloudflareSettings, getKey?: JWTVerifyGetKey): AccessVerifier {
  const team = normalizeTeamDomain(settings.teamDomain);
  if (!team || !settings.aud.trim()) throw new Error('Cloudflare Access needs both team_domain and aud');
  const issuer = `https://${team}`;
  const certsUrl = settings.certsUrl?.trim() || `${issuer}/cdn-cgi/access/certs`;
  if (!isSafeCertsUrl(certsUrl)) throw new Error(`certs_url ${certsUrl} must be https (plain http only on a loopback address)`);
  const keys = getKey ?? createRemoteJWKSet(new URL(certsUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 3_600_000 });
  const admitted = new Set([settings.ownerEmail ?? '', ...(settings.allowedEmails ?? [])].map((e) => e.trim().toLowerCase()).filter(Boolean));
  const aud = settings.aud.trim();

  return {
    issuer,
    certsUrl,
    async verify(token) {
      if (!token) return { ok: false, status: 401, reason: 'no Cloudflare Access token (Cf-Access-Jwt-Assertion)' };
      if (token.length > 16_384) return { ok: false, status: 401, reason: 'Cloudflare Access token is too large' };
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ['RS256'],
          issuer,
          audience: aud,
          requiredClaims: ['exp', 'iat'],
          clockTolerance: CLOCK_TOLERANCE_S,
        }));
      } catch (err) {
        return { ok: false, status: 401, reason: describeJoseError(err) };
      }
      const claims = ClaimsSchema.safeParse(payload);
      if (!claims.success) return { ok: false, status: 401, reason: 'Cloudflare Access token has no email (service tokens are not users)' };
      const email = claims.data.email.toLowerCase();
      if (!admitted.has(email)) {
        return {
          ok: false,
          status: 403,
          reason: admitted.size
            ? `${email} is not admitted: only owner_email and the addresses in cloudflare.allowed_emails may sign in`
            : `${email} is not admitted: set owner_email (and cloudflare.allowed_emails for anyone else) in rdv's config`,
        };
      }
      return { ok: true, email, expiresAtMs: (claims.data.exp + CLOCK_TOLERANCE_S) * 1000 };
    },
  };
}

/** A short reason for logs and the 401 page; never includes the token. */
function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'Cloudflare Access token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `Cloudflare Access token rejected: ${err.claim} claim is wrong`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'Cloudflare Access token uses an algorithm other than RS256';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'Cloudflare Access token was signed by an unknown key';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Cloudflare Access token signature is invalid';
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'Cloudflare Access token is malformed';
  if (err instanceof joseErrors.JWKSTimeout) return 'Cloudflare Access keys could not be fetched in time';
  // Anything that is not a JOSE error comes from fetching the keys (network, bad JSON).
  if (!(err instanceof joseErrors.JOSEError)) return 'Cloudflare Access keys could not be fetched';
  return 'Cloudflare Access token is invalid';
}

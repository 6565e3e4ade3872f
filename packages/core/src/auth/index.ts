export {
  createToken,
  generateSecret,
  hashToken,
  listTokens,
  revokeToken,
  safeEqual,
  toToken,
  verifyToken,
  type CreateTokenInput,
  type VerifiedToken,
  type VerifyTokenResult,
} from './tokens.js';
export { openServiceTokenStore, writeSecretFile, type ServiceTokenStore } from './service-token.js';
export { openSecretBox, type SecretBox } from './secret-box.js';
export { ensureOwner, getOwner, getUser, resolveUserByEmail, toUser, type EnsureOwnerResult } from './users.js';
export { flushAudit, listAudit, pruneAudit, queueAudit, writeAudit, type AuditInput } from './audit.js';
export { createRateLimiter, type RateLimiter } from './rate-limit.js';
export { authorizeScrape } from './scrape.js';
export { createLoginLink, redeemLoginLink, LOGIN_LINK_TTL_MS } from './login-links.js';
export { EDGE_CREDENTIAL_HEADER, EDGE_ROUTE_PREFIX, edgeCredential } from './edge-credential.js';
export {
  activeLoginSessionIds,
  checkLoginSession,
  createLoginSession,
  endLoginSession,
  listLoginSessions,
  pruneLoginSessions,
  revokeLoginSession,
  type CheckLoginSessionResult,
  type LoginSessionPolicy,
} from './login-sessions.js';
export { createCredentialWatch, type CredentialWatch, type WatchedAuth } from './credential-watch.js';
export { failureSource } from './failure-source.js';
export {
  authError,
  createRequestAuthenticator,
  type AuthRefusal,
  type HookCaller,
  type AuthenticateOptions,
  type RequestAuthDeps,
  type RequestAuthenticator,
  type ServiceCaller,
  type UserCaller,
} from './authenticate.js';
export { issueHookToken, isHookToken, revokeHookToken, verifyHookToken, type HookTokenCheck } from './hook-tokens.js';

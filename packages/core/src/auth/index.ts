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
export { ensureOwner, getOwner, getUser, resolveUserByEmail, toUser, type EnsureOwnerResult } from './users.js';
export { listAudit, writeAudit, type AuditInput } from './audit.js';
export { createRateLimiter, type RateLimiter } from './rate-limit.js';
export { authorizeScrape } from './scrape.js';
export { createLoginLink, redeemLoginLink, LOGIN_LINK_TTL_MS } from './login-links.js';
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

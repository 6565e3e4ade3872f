export { startAgent, sshCommand, withAgent, type SshAgent } from './agent.js';
export { fingerprintOf, generateKey, isEncryptedKey, publicKeyOf, type KeyPair } from './keys.js';
export { forgetHost, knownHostsName, pinnedKeys } from './known-hosts.js';
export { pushIdentity, pushWorktree, type PushDeps, type PushResult } from './push.js';
export { explainGitFailure, remoteGit, remoteGitConfig, type RemoteGitOptions, type RemoteGitResult } from './remote-git.js';
export { createRepositoryService, type RepositoryService, type RepositoryServiceDeps } from './repositories.js';
export { createIdentityService, type IdentityService, type IdentityServiceDeps, type UnsealedIdentity } from './service.js';
export { createSessionIdentities, type SessionIdentities, type SessionIdentitiesDeps } from './work-as.js';

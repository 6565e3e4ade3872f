import { listLoginSessions, revokeLoginSession } from '@rdv/core/auth';
import { LoginSessionSchema, listOf } from '@rdv/core/schemas';
import { auditAs, type AppDeps } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';

/** Browser sign-ins made with login links: listed and revocable like any credential. */
export function loginSessionRoutes(deps: AppDeps): RouteDef[] {
  const db = deps.db.db;
  return [
    defineRoute({
      method: 'get',
      path: '/api/auth/sessions',
      tag: 'auth',
      summary: 'Your browser sign-ins (local mode login links), newest first',
      response: listOf(LoginSessionSchema),
      handler: ({ auth }) => ({ items: listLoginSessions(db, auth.user.id, deps.loginSessions) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/auth/sessions/:id',
      tag: 'auth',
      summary: 'Sign a browser out (idempotent); its open terminals and event streams close',
      response: LoginSessionSchema,
      sensitive: true,
      managesCredentials: true,
      handler: ({ auth, params }) => {
        const session = revokeLoginSession(db, auth.user.id, params.id!, deps.loginSessions);
        auditAs(deps, auth, 'login_session.revoke', session.id);
        deps.onRevoked?.({ kind: 'login_session', id: session.id });
        return session;
      },
    }),
  ];
}

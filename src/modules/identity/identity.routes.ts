import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, ForbiddenError, UnauthenticatedError } from '../../platform/errors.ts';
import { createRateLimiter } from '../../platform/rate-limit.ts';
import { CurrentUser, LoginBody } from '../../contracts/identity.ts';
import type { IdentityService } from './identity.service.ts';
import { can, permissionsOf, type Permission } from './identity.permissions.ts';

export const SESSION_COOKIE = 'ep_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
  }
}

/** The caller, or 401. */
export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new UnauthenticatedError();
  return req.actor;
}

/** The caller if their role has the permission; 401 / 403 otherwise. */
export function requirePermission(req: FastifyRequest, permission: Permission): Actor {
  const actor = requireActor(req);
  if (!can(actor.role, permission)) throw new ForbiddenError();
  return actor;
}

/**
 * Resolves the caller on every request (session cookie for the console, bearer token for
 * machines) and enforces CSRF for cookie-authenticated writes: the console echoes the
 * session's token in `x-csrf-token`, which a cross-site form cannot do; SameSite=Lax cookies
 * are the second layer.
 */
export function registerIdentity(
  app: FastifyInstance,
  deps: { identity: IdentityService; clock: Clock; cookieSecure: boolean; sessionTtlMinutes: number; loginRatePerMinute: number },
) {
  const { identity } = deps;
  const limiter = createRateLimiter(deps.clock, deps.loginRatePerMinute, 60_000);
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const actor = await identity.authenticateToken(auth.slice(7).trim());
      if (!actor) throw new UnauthenticatedError({ zh: '访问令牌无效或已过期', en: 'Invalid or expired API token' }, 'TOKEN_INVALID');
      req.actor = { ...actor, requestId: String(req.id) };
      return;
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (!cookie) return;
    const session = await identity.authenticateSession(cookie);
    if (!session) return; // expired: treated as anonymous, protected routes answer 401
    if (UNSAFE.has(req.method) && !req.url.startsWith('/api/auth/login')) {
      if (req.headers['x-csrf-token'] !== session.csrfToken) {
        throw new AppError('CSRF_FAILED', 403, { zh: '请求缺少有效的 CSRF 令牌，请刷新页面后重试', en: 'Missing or wrong CSRF token; reload the page and retry' });
      }
    }
    req.actor = { ...session.actor, requestId: String(req.id) };
    req.csrfToken = session.csrfToken;
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  const userOut = (actor: Actor, csrfToken: string | null) => ({
    id: actor.userId,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role as any,
    regionPrefix: actor.regionPrefix,
    entityId: actor.entityId,
    permissions: permissionsOf(actor.role),
    ...(csrfToken ? { csrfToken } : {}),
  });

  r.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password (sets the session cookie) / 登录',
        body: LoginBody,
        response: { 200: CurrentUser },
      },
    },
    async (req, reply) => {
      if (!limiter.take(req.ip)) {
        throw new AppError('RATE_LIMITED', 429, { zh: '登录尝试过于频繁，请一分钟后再试', en: 'Too many login attempts; try again in a minute' });
      }
      const { token, csrfToken, actor } = await identity.login(req.body.username, req.body.password, { requestId: String(req.id) });
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.cookieSecure,
        maxAge: deps.sessionTtlMinutes * 60,
      });
      return userOut(actor, csrfToken);
    },
  );

  r.post('/api/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out / 退出登录', response: { 204: z.null() } } }, async (req, reply) => {
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) await identity.logout(cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  r.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user / 当前用户', response: { 200: CurrentUser } } }, async (req) => {
    const actor = requireActor(req);
    return userOut(actor, req.csrfToken);
  });
}

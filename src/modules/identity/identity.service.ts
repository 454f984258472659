import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lt, or, gt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { AppError, ConflictError, ValidationError, UnauthenticatedError, sqlState } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { Role } from '../../contracts/identity.ts';
import { appUser, userSession, apiToken } from './identity.tables.ts';
import { hashPassword, verifyPassword, DUMMY_HASH, passwordProblems } from './password.ts';

export interface IdentityOptions {
  sessionTtlMinutes: number;
  maxFailures: number;
  lockMinutes: number;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  role: string;
  regionPrefix: string;
  entityId?: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const LOGIN_FAILED = () =>
  new UnauthenticatedError({ zh: '用户名或密码错误', en: 'Wrong username or password' }, 'LOGIN_FAILED');

export type IdentityService = ReturnType<typeof createIdentityService>;

/** How long a resolved session is reused without asking the database (per process). */
const SESSION_CACHE_MS = 5_000;

export function createIdentityService(deps: { db: Db; clock: Clock; options: IdentityOptions }) {
  const { db, clock, options } = deps;
  // Every console request resolves its session; a short cache saves a query per request.
  // Logout drops the entry at once; elsewhere a change shows within SESSION_CACHE_MS.
  const sessionCache = new Map<string, { actor: Actor; csrfToken: string; expiresAt: number; cachedAt: number }>();

  function toActor(u: typeof appUser.$inferSelect, via: Actor['via']): Actor {
    return {
      userId: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      regionPrefix: u.regionPrefix,
      entityId: u.entityId,
      via,
    };
  }

  return {
    /** `ecopermit user add` and the demo seed; the actor is recorded in the audit trail. */
    async createUser(actor: Actor, input: NewUser) {
      if (!/^[A-Za-z0-9_.-]{3,64}$/.test(input.username)) {
        throw new ValidationError({ zh: '用户名须为 3–64 位字母、数字或 _.-', en: 'Username must be 3–64 letters, digits or _.-' });
      }
      if (!Role.safeParse(input.role).success) {
        throw new ValidationError({ zh: `未知角色：${input.role}`, en: `Unknown role: ${input.role}` });
      }
      if (!/^(\d{2}){0,3}$/.test(input.regionPrefix)) {
        throw new ValidationError({ zh: '辖区须为 0、2、4 或 6 位行政区划代码前缀', en: 'Jurisdiction must be a 0, 2, 4 or 6 digit region prefix' });
      }
      if (input.role === 'enterprise' && !input.entityId) {
        throw new ValidationError({ zh: '排污单位用户须关联一个法人主体', en: 'An enterprise user must be linked to an entity' });
      }
      const weak = passwordProblems(input.password);
      if (weak) throw new ValidationError(weak);
      const passwordHash = await hashPassword(input.password);
      const id = randomUUID();
      try {
        await db.transaction(async (tx) => {
          await tx.insert(appUser).values({
            id,
            username: input.username,
            displayName: input.displayName,
            passwordHash,
            role: input.role,
            regionPrefix: input.regionPrefix,
            entityId: input.entityId ?? null,
            createdAt: clock.now(),
          });
          await recordAudit(tx, clock, actor, {
            action: 'user.create',
            entityType: 'user',
            entityId: id,
            regionCode: input.regionPrefix || null,
            after: { username: input.username, displayName: input.displayName, role: input.role, regionPrefix: input.regionPrefix, entityId: input.entityId ?? null },
          });
        });
      } catch (err) {
        if (sqlState(err) === '23505') {
          throw new ConflictError('USER_EXISTS', { zh: `用户名 ${input.username} 已存在`, en: `Username ${input.username} already exists` });
        }
        throw err;
      }
      return { id };
    },

    /**
     * Password login. Failed attempts count per account; after `maxFailures` the account is
     * locked for `lockMinutes` (423) whatever the password. Unknown users cost the same time.
     */
    async login(username: string, password: string, meta: { requestId?: string } = {}) {
      const now = clock.now();
      const [user] = await db.select().from(appUser).where(eq(appUser.username, username));
      if (!user) {
        await verifyPassword(password, DUMMY_HASH);
        throw LOGIN_FAILED();
      }
      // Claim the attempt before the (slow) password check, atomically: parallel guesses each
      // count, and once the threshold is reached every further attempt is refused at once.
      const lockUntil = new Date(now.getTime() + options.lockMinutes * 60_000).toISOString();
      const nowIso = now.toISOString();
      const nextCount = sql`case when ${appUser.lockedUntil} is not null then 1 else ${appUser.failedLogins} + 1 end`;
      const [claim] = await db
        .update(appUser)
        .set({
          failedLogins: nextCount,
          lockedUntil: sql`case when (${nextCount}) >= ${options.maxFailures} then ${lockUntil}::timestamptz else null end`,
        })
        .where(and(eq(appUser.id, user.id), or(isNull(appUser.lockedUntil), sql`${appUser.lockedUntil} <= ${nowIso}::timestamptz`)))
        .returning({ failedLogins: appUser.failedLogins, lockedUntil: appUser.lockedUntil });
      if (!claim) {
        const [u] = await db.select({ lockedUntil: appUser.lockedUntil }).from(appUser).where(eq(appUser.id, user.id));
        const until = (u?.lockedUntil ?? now).toISOString();
        throw new AppError('ACCOUNT_LOCKED', 423, {
          zh: `登录失败次数过多，账户已锁定至 ${until}`,
          en: `Too many failed logins; the account is locked until ${until}`,
        });
      }
      // Verify first, then look at `disabled`, so a disabled account costs the same time.
      const ok = (await verifyPassword(password, user.passwordHash)) && !user.disabled;
      const actor = { ...toActor(user, 'session'), requestId: meta.requestId };
      if (!ok) {
        if (claim.lockedUntil) {
          await db.transaction(async (tx) => {
            await recordAudit(tx, clock, actor, { action: 'user.lock', entityType: 'user', entityId: user.id, regionCode: user.regionPrefix || null, after: { failedLogins: claim.failedLogins, lockedUntil: claim.lockedUntil } });
          });
        }
        throw LOGIN_FAILED();
      }
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await db.transaction(async (tx) => {
        await tx.update(appUser).set({ failedLogins: 0, lockedUntil: null, lastLoginAt: now }).where(eq(appUser.id, user.id));
        await tx.insert(userSession).values({
          tokenHash: sha256(token),
          userId: user.id,
          csrfToken,
          createdAt: now,
          expiresAt: new Date(now.getTime() + options.sessionTtlMinutes * 60_000),
        });
        await recordAudit(tx, clock, actor, { action: 'user.login', entityType: 'user', entityId: user.id, regionCode: user.regionPrefix || null });
      });
      return { token, csrfToken, actor: toActor(user, 'session') };
    },

    /** Resolve a session cookie; slides the expiry forward. Undefined when absent or expired. */
    async authenticateSession(token: string): Promise<{ actor: Actor; csrfToken: string } | undefined> {
      const now = clock.now();
      const key = sha256(token);
      const cached = sessionCache.get(key);
      if (cached && now.getTime() - cached.cachedAt < SESSION_CACHE_MS && cached.cachedAt <= now.getTime() && cached.expiresAt > now.getTime()) {
        return { actor: cached.actor, csrfToken: cached.csrfToken };
      }
      sessionCache.delete(key);
      const rows = await db
        .select({ user: appUser, session: userSession })
        .from(userSession)
        .innerJoin(appUser, eq(appUser.id, userSession.userId))
        .where(and(eq(userSession.tokenHash, sha256(token)), gt(userSession.expiresAt, now)));
      const row = rows[0];
      if (!row || row.user.disabled) return undefined;
      const newExpiry = new Date(now.getTime() + options.sessionTtlMinutes * 60_000);
      // Only touch the row once a minute has passed, to keep reads cheap.
      let expiresAt = row.session.expiresAt;
      if (newExpiry.getTime() - row.session.expiresAt.getTime() > 60_000) {
        await db.update(userSession).set({ expiresAt: newExpiry }).where(eq(userSession.tokenHash, row.session.tokenHash));
        expiresAt = newExpiry;
      }
      const result = { actor: toActor(row.user, 'session'), csrfToken: row.session.csrfToken };
      if (sessionCache.size > 100_000) sessionCache.clear();
      sessionCache.set(key, { ...result, expiresAt: expiresAt.getTime(), cachedAt: now.getTime() });
      return result;
    },

    async authenticateToken(token: string): Promise<Actor | undefined> {
      const now = clock.now();
      const rows = await db
        .select({ user: appUser })
        .from(apiToken)
        .innerJoin(appUser, eq(appUser.id, apiToken.userId))
        .where(and(eq(apiToken.tokenHash, sha256(token)), isNull(apiToken.revokedAt), or(isNull(apiToken.expiresAt), gt(apiToken.expiresAt, now))));
      const row = rows[0];
      if (!row || row.user.disabled) return undefined;
      return toActor(row.user, 'token');
    },

    async logout(token: string) {
      sessionCache.delete(sha256(token));
      await db.delete(userSession).where(eq(userSession.tokenHash, sha256(token)));
    },

    /** Issue a bearer token for a machine client; the secret is shown once. */
    async createApiToken(actor: Actor, userId: string, name: string, expiresAt?: Date) {
      const secret = `ept_${randomBytes(32).toString('base64url')}`;
      const id = randomUUID();
      await db.transaction(async (tx) => {
        const [u] = await tx.select().from(appUser).where(eq(appUser.id, userId));
        if (!u) throw new ValidationError({ zh: '用户不存在', en: 'No such user' });
        await tx.insert(apiToken).values({ id, userId, name, tokenHash: sha256(secret), createdAt: clock.now(), expiresAt: expiresAt ?? null });
        await recordAudit(tx, clock, actor, { action: 'token.create', entityType: 'api_token', entityId: id, regionCode: u.regionPrefix || null, after: { userId, name, expiresAt: expiresAt ?? null } });
      });
      return { id, secret };
    },

    /** Display names of users by id, for showing who did what. */
    async displayNames(ids: string[]): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db.select({ id: appUser.id, displayName: appUser.displayName }).from(appUser).where(inArray(appUser.id, unique));
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },

    async getUserByUsername(username: string) {
      const [u] = await db.select().from(appUser).where(eq(appUser.username, username));
      return u;
    },

    async countUsers() {
      const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(appUser);
      return r.n;
    },

    /** Remove sessions that expired (housekeeping). */
    async purgeExpiredSessions() {
      await db.delete(userSession).where(lt(userSession.expiresAt, clock.now()));
    },
  };
}

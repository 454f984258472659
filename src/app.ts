import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from './platform/db.ts';
import type { Config } from './platform/config.ts';
import type { Clock } from './platform/clock.ts';
import { systemActor } from './platform/actor.ts';
import { installErrorHandling, sendProblem } from './platform/problem.ts';
import { createServices, type Services } from './context.ts';
import { registerIdentity } from './modules/identity/index.ts';
import { registerReferenceRoutes } from './modules/reference/index.ts';
import { registerRegistryRoutes } from './modules/registry/index.ts';
import { registerPermitRoutes } from './modules/permits/index.ts';
import { registerCaseRoutes } from './modules/cases/index.ts';
import { registerReviewRoutes } from './modules/review/index.ts';
import { registerLedgerRoutes } from './modules/ledger/index.ts';

export interface AppDeps {
  database: Database;
  config: Config;
  clock: Clock;
  /** pino options; false in tests */
  logger?: boolean | object;
  /** serve the built console from web/dist (default: when it exists) */
  serveWeb?: boolean;
}

const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The HTTP application: plugins, error handling, module routes, the console. Tests use it too. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const { config, clock, database } = deps;
  const app = Fastify({
    logger: deps.logger === undefined ? { level: config.LOG_LEVEL } : deps.logger,
    // Keep a caller's request id (e.g. from a gateway) when it is sane, else make one.
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && REQUEST_ID.test(h) ? h : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  // While shutting down, answer in-flight requests with `Connection: close` so keep-alive
  // sockets end after their last response and close() can complete.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (req, reply) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-request-id', req.id);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ecopermit API',
        version: '0.1.0',
        description:
          '排污许可管理平台 API. Errors are RFC 9457 problem+json with a stable `code`; send `Accept-Language: en` for English messages. Console sessions use the `ep_session` cookie plus the `x-csrf-token` header on writes; machine clients send `Authorization: Bearer <token>`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ep_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const services = createServices(database, config, clock, (msg) => app.log.info(msg));
  if (services.unitSearch) {
    // Built before the server answers: until then every list would take the slow SQL path.
    await services.unitSearch.start();
    app.addHook('onClose', async () => services.unitSearch?.stop());
  }
  registerIdentity(app, {
    identity: services.identity,
    clock,
    cookieSecure: config.COOKIE_SECURE,
    sessionTtlMinutes: config.SESSION_TTL_MINUTES,
    loginRatePerMinute: config.LOGIN_RATE_PER_MINUTE,
  });

  app.get('/api/health', { schema: { tags: ['ops'], summary: 'Liveness / 存活检查', response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get(
    '/api/ready',
    { schema: { tags: ['ops'], summary: 'Readiness: the database answers / 就绪检查', response: { 200: z.object({ status: z.literal('ready'), database: z.string() }) } } },
    async (req, reply) => {
      try {
        await database.pool.query('select 1');
        return { status: 'ready' as const, database: database.kind };
      } catch {
        return sendProblem(req, reply, 503, 'DATABASE_UNAVAILABLE', { zh: '数据库不可用', en: 'Database unavailable' });
      }
    },
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerReferenceRoutes(app, { reference: services.reference });
  registerRegistryRoutes(app, { registry: services.registry, identity: services.identity, db: database.db, clock });
  registerPermitRoutes(app, { permits: services.permits, clock, publicRatePerMinute: config.PUBLIC_RATE_PER_MINUTE });
  registerCaseRoutes(app, { cases: services.cases });
  registerReviewRoutes(app, { review: services.review, reviewTasks: services.reviewTasks });
  registerLedgerRoutes(app, { ledger: services.ledger });
  // Sweeps the last process left running go on; on close the page under way finishes first.
  await services.review.resumeInterrupted();
  // a changed standard, threshold or catalog: the permits are judged again
  await services.review.sweepIfReferenceChanged();
  // overdue ledger items go up a level (once a day is enough; the scheduler of issue 5 will own this)
  await services.ledger.escalateOverdue(systemActor('ledger-escalation', '整改逾期自动上报'));
  app.addHook('onClose', async () => services.review.stop());

  const serveWeb = deps.serveWeb ?? existsSync(WEB_DIST);
  if (serveWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false });
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && serveWeb && !req.url.startsWith('/api/') && !req.url.startsWith('/api?')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendProblem(req, reply, 404, 'ROUTE_NOT_FOUND', { zh: `没有这个接口：${req.method} ${req.url.split('?')[0]}`, en: `No such endpoint: ${req.method} ${req.url.split('?')[0]}` });
  });

  return Object.assign(app, { services }) as unknown as FastifyInstance & { services: Services };
}

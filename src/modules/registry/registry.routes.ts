import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { readUpload } from '../../platform/multipart.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pickLang } from '../../platform/i18n.ts';
import type { Actor } from '../../platform/actor.ts';
import {
  AuditEntryView,
  CloseInput,
  EntityUpdateInput,
  EntityView,
  ImportJobView,
  ImportMode,
  RegistrationInput,
  RegistrationView,
  ReopenInput,
  UnitCreateInput,
  UnitListQuery,
  UnitListResult,
  UnitUpdateInput,
  UnitView,
} from '../../contracts/registry.ts';
import { requirePermission, type IdentityService } from '../identity/index.ts';
import type { RegistryService } from './registry.service.ts';
import { importUnits } from './registry.import.ts';
import { writeCsv, writeXlsx } from './import-file.ts';
import { EXPORT_HEADERS, exportRow } from './registry.export.ts';
import { checkCreditCode, describeCreditCodeCheck } from './credit-code.ts';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';

const IdParams = z.object({ id: z.string().uuid() }).strict();
const EXPORT_MAX = 200_000;

type ImportJob = z.infer<typeof ImportJobView> & { ownerId: string; finishedAt?: number };

/**
 * Registry API. Handlers are thin: permission check, then the service, which scopes every
 * query by the caller. Out-of-scope ids answer 404 like missing ones.
 */
export function registerRegistryRoutes(app: FastifyInstance, deps: { registry: RegistryService; identity: Pick<IdentityService, 'displayNames'>; db: Db; clock: Clock }) {
  const { registry } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['registry'];
  // Import jobs live in this process; their result is also the HTTP answer of the job poll.
  const jobs = new Map<string, ImportJob>();

  r.get(
    '/api/registry/units',
    {
      schema: { tags, summary: 'Search discharging units / 查询排污单位', querystring: UnitListQuery, response: { 200: UnitListResult } },
      // The busiest endpoint: its result is built field by field as UnitListResult (the routes
      // test holds it to the schema), so it is written out without a second validation pass,
      // reusing the JSON of rows listed before.
      serializerCompiler: () => (data) => registry.serializeUnitList(data as never),
    },
    async (req) => {
      return registry.listUnits(requirePermission(req, 'registry.read'), req.query);
    },
  );

  r.get(
    '/api/registry/units/export',
    { schema: { tags, summary: 'Export units as xlsx or csv / 导出排污单位', querystring: UnitListQuery.extend({ format: z.enum(['xlsx', 'csv']).optional() }) } },
    async (req, reply) => {
      const actor = requirePermission(req, 'registry.export');
      const { format = 'xlsx', ...q } = req.query;
      const rows: (string | number | null)[][] = [];
      for await (const page of registry.exportUnits(actor, q, EXPORT_MAX)) for (const u of page) rows.push(exportRow(u));
      req.log.info({ action: 'registry.export', rows: rows.length, format }, 'export');
      const name = `排污单位清单-${new Date().toISOString().slice(0, 10)}.${format}`;
      reply.header('content-disposition', `attachment; filename="units.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(writeCsv(EXPORT_HEADERS, rows));
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await writeXlsx(EXPORT_HEADERS, rows, '排污单位'));
    },
  );

  r.get('/api/registry/units/:id', { schema: { tags, summary: 'One unit / 排污单位详情', params: IdParams, response: { 200: UnitView } } }, async (req) => {
    return registry.getUnit(requirePermission(req, 'registry.read'), req.params.id);
  });

  r.post('/api/registry/units', { schema: { tags, summary: 'Create a unit (site) / 新增排污单位', body: UnitCreateInput, response: { 201: UnitView } } }, async (req, reply) => {
    const unit = await registry.createUnit(requirePermission(req, 'registry.write'), req.body);
    return reply.status(201).send(unit);
  });

  r.patch('/api/registry/units/:id', { schema: { tags, summary: 'Edit a unit / 修改排污单位', params: IdParams, body: UnitUpdateInput, response: { 200: UnitView } } }, async (req) => {
    return registry.updateUnit(requirePermission(req, 'registry.write'), req.params.id, req.body);
  });

  r.post('/api/registry/units/:id/close', { schema: { tags, summary: 'Close a unit / 关闭', params: IdParams, body: CloseInput, response: { 200: UnitView } } }, async (req) => {
    return registry.setUnitStatus(requirePermission(req, 'registry.write'), req.params.id, 'closed', req.body.version, req.body.reason);
  });

  r.post('/api/registry/units/:id/reopen', { schema: { tags, summary: 'Reopen a unit / 重新启用', params: IdParams, body: ReopenInput, response: { 200: UnitView } } }, async (req) => {
    return registry.setUnitStatus(requirePermission(req, 'registry.write'), req.params.id, 'active', req.body.version);
  });

  r.get('/api/registry/units/:id/history', { schema: { tags, summary: 'Audit history of a unit / 变更记录', params: IdParams, response: { 200: z.array(AuditEntryView) } } }, async (req) => {
    const actor = requirePermission(req, 'registry.read');
    const events = await registry.unitHistory(actor, req.params.id);
    const names = await deps.identity.displayNames(events.map((e) => e.actorId).filter((x): x is string => !!x));
    return events.map((e) => ({ ...e, actorDisplayName: (e.actorId && names.get(e.actorId)) || null }));
  });

  r.get('/api/registry/units/:id/registrations', { schema: { tags, summary: 'Registrations of a unit / 排污登记', params: IdParams, response: { 200: z.array(RegistrationView) } } }, async (req) => {
    return (await registry.listRegistrations(requirePermission(req, 'registry.read'), req.params.id)) as any;
  });

  r.post('/api/registry/registrations', { schema: { tags, summary: 'Register a site (排污登记) / 新增排污登记', body: RegistrationInput, response: { 201: RegistrationView } } }, async (req, reply) => {
    const reg = await registry.createRegistration(requirePermission(req, 'registry.write'), req.body);
    return reply.status(201).send(reg as any);
  });

  r.post('/api/registry/registrations/:id/cancel', { schema: { tags, summary: 'Cancel a registration / 注销排污登记', params: IdParams, response: { 200: RegistrationView } } }, async (req) => {
    return (await registry.cancelRegistration(requirePermission(req, 'registry.write'), req.params.id)) as any;
  });

  r.get('/api/registry/entities/:id', { schema: { tags, summary: 'One legal entity / 法人主体', params: IdParams, response: { 200: EntityView } } }, async (req) => {
    return registry.getEntity(requirePermission(req, 'registry.read'), req.params.id);
  });

  r.patch('/api/registry/entities/:id', { schema: { tags, summary: 'Edit an entity / 修改法人主体', params: IdParams, body: EntityUpdateInput, response: { 200: EntityView } } }, async (req) => {
    return registry.updateEntity(requirePermission(req, 'registry.write'), req.params.id, req.body);
  });

  r.post(
    '/api/registry/check-codes',
    {
      schema: {
        tags,
        summary: 'Check credit codes (GB 32100-2015) / 校验统一社会信用代码',
        body: z.object({ codes: z.array(z.string().max(200)).min(1).max(1000) }).strict(),
        response: { 200: z.array(z.object({ input: z.string(), valid: z.boolean(), normalized: z.string().nullable(), reason: z.string().nullable() })) },
      },
    },
    async (req) => {
      requirePermission(req, 'registry.read');
      const lang = pickLang(req.headers['accept-language']);
      return req.body.codes.map((c) => {
        const chk = checkCreditCode(c);
        return { input: c, valid: chk.valid, normalized: chk.normalized ?? null, reason: chk.valid ? null : describeCreditCodeCheck(chk, lang) };
      });
    },
  );

  r.post(
    '/api/registry/imports',
    {
      schema: {
        tags,
        summary: 'Start a bulk import from csv/xlsx (multipart: file, mode, applyCleanups) / 批量导入',
        consumes: ['multipart/form-data'],
        response: { 202: ImportJobView },
      },
    },
    async (req, reply) => {
      const actor = requirePermission(req, 'registry.import');
      const { file, fields } = await readUpload(req);
      const mode = ImportMode.safeParse(fields.mode ?? 'dry-run');
      if (!mode.success) throw new ValidationError({ zh: 'mode 须为 dry-run、all-or-nothing 或 good-only', en: 'mode must be dry-run, all-or-nothing or good-only' });
      const job: ImportJob = { id: randomUUID(), ownerId: actor.userId, status: 'running', phase: 'parse', processed: 0, total: 0, result: null, error: null };
      jobs.set(job.id, job);
      for (const [id, j] of jobs) if (j.finishedAt && Date.now() - j.finishedAt > 3_600_000) jobs.delete(id);
      const lang = pickLang(req.headers['accept-language']);
      // Everything after the job exists runs inside the promise, so any failure ends the job.
      registry
        .checks()
        .then((checks) =>
          importUnits({ db: deps.db, clock: deps.clock, checks }, actor, file, {
            mode: mode.data,
            applyCleanups: fields.applyCleanups === 'true',
            onProgress: (phase, processed, total) => Object.assign(job, { phase, processed, total }),
          }),
        )
        .then(async (result) => {
          // The job reads "done" once the list shows what was imported. The import has
          // committed by now: if waiting for the search fails, it is still done (the index
          // catches up on its own), never reported as "nothing was written".
          await registry.searchSettled().catch((err) => req.log.warn({ err }, 'unit search did not confirm the import'));
          Object.assign(job, { status: 'done', phase: 'done', result });
        })
        .catch((err) => {
          if (!(err instanceof AppError)) req.log.error({ err }, 'import failed');
          const message = err instanceof AppError ? (lang === 'en' ? err.messages.en : err.messages.zh) : lang === 'en' ? 'Import failed; nothing was written' : '导入失败，未写入任何数据';
          Object.assign(job, { status: 'failed', error: { code: err instanceof AppError ? err.code : 'INTERNAL', message } });
        })
        .finally(() => (job.finishedAt = Date.now()));
      return reply.status(202).send(view(job));
    },
  );

  r.get('/api/registry/imports/:id', { schema: { tags, summary: 'Progress and result of an import / 导入进度', params: IdParams, response: { 200: ImportJobView } } }, async (req) => {
    const actor: Actor = requirePermission(req, 'registry.import');
    const job = jobs.get(req.params.id);
    if (!job || job.ownerId !== actor.userId) throw new NotFoundError({ zh: '导入任务', en: 'import job' });
    return view(job);
  });

  function view(j: ImportJob) {
    const { ownerId: _o, finishedAt: _f, ...rest } = j;
    return rest;
  }
}

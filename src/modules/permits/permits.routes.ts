import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ClassifyInput,
  ClassifyResult,
  PermitChangeInput,
  PermitChangeResult,
  PermitComparison,
  PermitDetail,
  PermitIssueInput,
  PermitIssueResult,
  PermitList,
  PermitListQuery,
  PermitVersionList,
  PermitVersionView,
  PermitImportResult,
  PublicPermit,
} from '../../contracts/permits.ts';
import { requirePermission } from '../identity/index.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import { readUpload } from '../../platform/multipart.ts';
import { createRateLimiter } from '../../platform/rate-limit.ts';
import type { Clock } from '../../platform/clock.ts';
import { checkDeclaredCategory, classifyUnit } from './classification.ts';
import type { PermitsService } from './permits.service.ts';

const IdParams = z.object({ id: z.uuid() });
const VersionParams = IdParams.extend({ n: z.coerce.number().int().min(1) });

/**
 * - POST /api/permits/classify — 200: the management category under the classification
 *   directory, why, and the facts still missing. Public, like the directory itself: an
 *   enterprise may ask before it has an account.
 * - POST /api/permits — 201 issue (or record an existing permit); GET /api/permits — list
 * - GET /api/permits/:id — the permit and its current content
 * - POST /api/permits/:id/versions — 201 a change or renewal (a new version)
 * - GET /api/permits/:id/versions, /:id/versions/:n, /:id/compare?from=&to=
 */
export function registerPermitRoutes(app: FastifyInstance, deps: { permits: PermitsService; clock: Clock; publicRatePerMinute: number }) {
  const { permits } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['permits'];

  r.post('/api/permits', { schema: { tags, summary: 'Issue a permit (version 1), or record one the national platform issued / 核发排污许可证', body: PermitIssueInput, response: { 201: PermitIssueResult } } }, async (req, reply) => {
    return reply.status(201).send(await permits.issuePermit(requirePermission(req, 'permits.issue'), req.body));
  });
  r.get('/api/permits', { schema: { tags, summary: 'Permits in the caller\'s jurisdiction / 排污许可证列表', querystring: PermitListQuery, response: { 200: PermitList } } }, async (req) => {
    return permits.listPermits(requirePermission(req, 'permits.read'), req.query);
  });
  r.get(
    '/api/permits/:id',
    {
      schema: { tags, summary: 'A permit with its current content / 排污许可证', params: IdParams, response: { 200: PermitDetail } },
      // The content is sent as the database holds it (validated when it was written), spliced
      // into the rest; the routes test holds the result to PermitDetail.
      serializerCompiler: () => (data) => {
        const { contentJson, ...rest } = data as { contentJson: string };
        return `${JSON.stringify(rest).slice(0, -1)},"content":${contentJson}}`;
      },
    },
    async (req) => permits.getPermitJson(requirePermission(req, 'permits.read'), req.params.id) as never,
  );
  r.post('/api/permits/:id/versions', { schema: { tags, summary: 'Change or renew: a new version / 变更、延续', params: IdParams, body: PermitChangeInput, response: { 201: PermitChangeResult } } }, async (req, reply) => {
    return reply.status(201).send(await permits.changePermit(requirePermission(req, 'permits.issue'), req.params.id, req.body));
  });
  r.post(
    '/api/permits/imports',
    {
      schema: {
        tags,
        summary: "Import the national platform's permit listing or permit pages (multipart: file, mode = dry-run | all-or-nothing | good-only) / 导入全国平台许可证",
        consumes: ['multipart/form-data'],
        response: { 200: PermitImportResult },
      },
    },
    async (req) => {
      const actor = requirePermission(req, 'permits.issue');
      const { file, fields } = await readUpload(req);
      const mode = fields.mode ?? 'dry-run';
      if (!['dry-run', 'all-or-nothing', 'good-only'].includes(mode)) throw new ValidationError({ zh: 'mode 须为 dry-run、all-or-nothing 或 good-only', en: 'mode must be dry-run, all-or-nothing or good-only' });
      return permits.importFromPlatform(actor, file, { dryRun: mode === 'dry-run', goodOnly: mode === 'good-only' });
    },
  );
  r.get('/api/permits/:id/pdf', { schema: { tags, summary: 'The permit copy (副本) as PDF / 下载排污许可证副本', params: IdParams } }, async (req, reply) => {
    const { permitNumber, pdf } = await permits.permitPdf(requirePermission(req, 'permits.read'), req.params.id);
    return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`排污许可证副本-${permitNumber}.pdf`)}`).send(pdf);
  });

  // 信息公开: the public part of a permit, without login, rate-limited per client address.
  const publicLimiter = createRateLimiter(deps.clock, deps.publicRatePerMinute, 60_000);
  const limitPublic = (ip: string) => {
    if (!publicLimiter.take(ip)) throw new AppError('RATE_LIMITED', 429, { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' });
  };
  const NumberParams = z.object({ number: z.string().trim().regex(/^[0-9A-Za-z]{6,40}$/, 'a permit number / 许可证编号') });
  r.get('/api/public/permits/:number', { schema: { tags: ['public'], summary: 'A permit\'s public information, without login / 排污许可证信息公开', params: NumberParams, response: { 200: PublicPermit } } }, async (req) => {
    limitPublic(req.ip);
    return permits.getPublicPermit(req.params.number.toUpperCase());
  });
  r.get('/api/public/permits/:number/pdf', { schema: { tags: ['public'], summary: 'A permit copy as PDF, without login / 公开的许可证副本', params: NumberParams } }, async (req, reply) => {
    limitPublic(req.ip);
    const number = req.params.number.toUpperCase();
    const pdf = await permits.publicPermitPdf(number);
    return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(`排污许可证副本-${number}.pdf`)}`).send(pdf);
  });
  r.get('/api/permits/:id/versions', { schema: { tags, summary: 'Versions of a permit / 版本', params: IdParams, response: { 200: PermitVersionList } } }, async (req) => {
    return permits.listVersions(requirePermission(req, 'permits.read'), req.params.id);
  });
  r.get('/api/permits/:id/versions/:n', { schema: { tags, summary: 'One version with its content / 某一版本', params: VersionParams, response: { 200: PermitVersionView } } }, async (req) => {
    return permits.getVersion(requirePermission(req, 'permits.read'), req.params.id, req.params.n);
  });
  r.get(
    '/api/permits/:id/compare',
    { schema: { tags, summary: 'Field-by-field differences between two versions / 版本比对', params: IdParams, querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }).strict(), response: { 200: PermitComparison } } },
    async (req) => permits.compareVersions(requirePermission(req, 'permits.read'), req.params.id, req.query.from, req.query.to),
  );
  r.post(
    '/api/permits/classify',
    {
      schema: {
        tags: ['permits'],
        summary: 'Management category under the classification directory (名录 2019) / 按分类管理名录判定管理类别',
        description: 'Facts not given are not guessed: flags and lists not declared count as absent; a missing quantity or yes/no fact leaves the cell that needs it undecided, and `missing` names it. `declared` lower than the result gives a CATEGORY_DOWNGRADE finding.',
        body: ClassifyInput,
        response: { 200: ClassifyResult },
      },
    },
    async (req) => {
      const { declared, ...facts } = req.body;
      const result = classifyUnit(facts);
      return { ...result, finding: declared ? checkDeclaredCategory(declared, result) : null };
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PermitReview, RuleView, Severity, SweepResults, SweepView } from '../../contracts/review.ts';
import { requirePermission } from '../identity/index.ts';
import { RULES } from './review.catalog.ts';
import type { ReviewService } from './review.service.ts';

/**
 * - GET /api/review/rules — the catalog (the 问题认定指南), public like the rules themselves
 * - GET /api/permits/:id/review — the rules over a permit's current version (404 out of scope)
 */
export function registerReviewRoutes(app: FastifyInstance, deps: { review: ReviewService }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['review'];
  r.get('/api/review/rules', { schema: { tags, summary: 'The quality-review rule catalog / 审核规则目录', response: { 200: z.object({ items: z.array(RuleView) }) } } }, async () => ({
    items: RULES.map((x) => ({ id: x.id, code: x.code, severity: x.severity, title: x.title, basis: x.basis, fix: x.fix })),
  }));
  const IdParams = z.object({ id: z.uuid() });
  r.post('/api/review/sweeps', { schema: { tags, summary: 'Sweep the catalog over the valid permits of a jurisdiction (in the background) / 批量审核', body: z.object({ region: z.string().regex(/^\d{0,6}$/).optional() }).strict(), response: { 202: SweepView } } }, async (req, reply) => {
    return reply.status(202).send((await deps.review.startSweep(requirePermission(req, 'review.run'), req.body)) as never);
  });
  r.get('/api/review/sweeps', { schema: { tags, summary: 'Sweeps / 审核批次', response: { 200: z.object({ items: z.array(SweepView) }) } } }, async (req) => deps.review.listSweeps(requirePermission(req, 'review.run')) as never);
  r.get('/api/review/sweeps/:id', { schema: { tags, summary: 'A sweep and its progress / 审核进度', params: IdParams, response: { 200: SweepView } } }, async (req) => deps.review.getSweep(requirePermission(req, 'review.run'), req.params.id) as never);
  r.post('/api/review/sweeps/:id/cancel', { schema: { tags, summary: 'Cancel a running sweep / 取消', params: IdParams, response: { 200: SweepView } } }, async (req) => deps.review.cancelSweep(requirePermission(req, 'review.run'), req.params.id) as never);
  r.get(
    '/api/review/sweeps/:id/results',
    {
      schema: {
        tags,
        summary: "A sweep's findings, by rule and severity / 审核结果",
        params: IdParams,
        querystring: z.object({ ruleId: z.string().regex(/^QR-\d{3}$/).optional(), severity: Severity.optional(), page: z.coerce.number().int().min(1).max(10_000).optional(), pageSize: z.coerce.number().int().min(1).max(200).optional() }).strict(),
        response: { 200: SweepResults },
      },
    },
    async (req) => deps.review.sweepResults(requirePermission(req, 'review.run'), req.params.id, req.query) as never,
  );
  r.get(
    '/api/review/population',
    {
      schema: {
        tags,
        summary: 'Population checks: peer outliers or near-duplicate groups (leads for reviewers) / 大数据比对',
        querystring: z.object({ kind: z.enum(['outliers', 'duplicates']), region: z.string().regex(/^\d{0,6}$/).optional() }).strict(),
      },
    },
    async (req) => deps.review.population(requirePermission(req, 'review.run'), req.query),
  );
  r.get(
    '/api/review/scores',
    { schema: { tags, summary: 'Quality scores of permits or technical agencies, from the latest sweep / 质量评分', querystring: z.object({ kind: z.enum(['permit', 'agency']), limit: z.coerce.number().int().min(1).max(1000).optional() }).strict() } },
    async (req) => deps.review.scores(requirePermission(req, 'review.run'), req.query),
  );
  r.get('/api/permits/:id/review', { schema: { tags, summary: 'The rules over a permit / 许可证质量审核', params: z.object({ id: z.uuid() }), response: { 200: PermitReview } } }, async (req) => {
    return deps.review.reviewPermit(requirePermission(req, 'permits.read'), req.params.id);
  });
}

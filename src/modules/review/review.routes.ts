import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PermitReview, RuleView } from '../../contracts/review.ts';
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
  r.get('/api/permits/:id/review', { schema: { tags, summary: 'The rules over a permit / 许可证质量审核', params: z.object({ id: z.uuid() }), response: { 200: PermitReview } } }, async (req) => {
    return deps.review.reviewPermit(requirePermission(req, 'permits.read'), req.params.id);
  });
}

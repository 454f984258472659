import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PermitReview, RuleView, Severity, SweepResults, SweepView } from '../../contracts/review.ts';
import { requirePermission } from '../identity/index.ts';
import { sheetDownload } from '../registry/index.ts';
import { PROBLEM_TYPES, RULES, problemTypeOf } from './review.catalog.ts';
import type { ReviewService } from './review.service.ts';
import { AssignInput, CompleteInput, FindingDecisionInput, OwnFindingInput, PlanInput, type ReviewTasksService } from './review.tasks.ts';

/**
 * - GET /api/review/rules — the catalog (the 问题认定指南), public like the rules themselves
 * - GET /api/permits/:id/review — the rules over a permit's current version (404 out of scope)
 */
export function registerReviewRoutes(app: FastifyInstance, deps: { review: ReviewService; reviewTasks: ReviewTasksService }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['review'];
  r.get('/api/review/rules', { schema: { tags, summary: 'The quality-review rule catalog / 审核规则目录', response: { 200: z.object({ items: z.array(RuleView) }) } } }, async () => ({
    items: RULES.map((x) => ({ id: x.id, code: x.code, severity: x.severity, title: x.title, basis: x.basis, fix: x.fix, problemType: problemTypeOf(x.id), problemTypeLabel: PROBLEM_TYPES[problemTypeOf(x.id)] })),
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

  // -- review plans and tasks (抽查计划与审核任务) -------------------------------------------------------
  const tasks = deps.reviewTasks;
  r.post('/api/review/plans', { schema: { tags, summary: 'Draw a review plan: random and targeted sample of the permits issued or changed in the period / 制定抽查计划', body: PlanInput } }, async (req, reply) =>
    reply.status(201).send(await tasks.createPlan(requirePermission(req, 'review.run'), req.body)),
  );
  r.get('/api/review/plans', { schema: { tags, summary: 'Review plans / 抽查计划' } }, async (req) => tasks.listPlans(requirePermission(req, 'review.run')));
  r.get('/api/review/plans/:id', { schema: { tags, summary: 'A review plan / 抽查计划', params: IdParams } }, async (req) => tasks.getPlan(requirePermission(req, 'review.run'), req.params.id));
  r.get(
    '/api/review/tasks',
    {
      schema: {
        tags,
        summary: 'Review tasks (a plan\'s, or mine) / 审核任务',
        querystring: z
          .object({
            planId: z.uuid().optional(),
            status: z.enum(['pending', 'in_review', 'done']).optional(),
            selection: z.enum(['random', 'targeted']).optional(),
            mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
            page: z.coerce.number().int().min(1).max(10_000).optional(),
            pageSize: z.coerce.number().int().min(1).max(200).optional(),
          })
          .strict(),
      },
    },
    async (req) => tasks.listTasks(requirePermission(req, 'review.task'), req.query),
  );
  r.get('/api/review/reviewers', { schema: { tags, summary: 'Who may be given review tasks in a region / 可分派的审核人员与专家', querystring: z.object({ region: z.string().regex(/^\d{0,6}$/).optional() }).strict() } }, async (req) =>
    tasks.reviewers(requirePermission(req, 'review.run'), req.query.region),
  );
  r.post('/api/review/tasks/assign', { schema: { tags, summary: 'Assign tasks to a reviewer or an expert group / 分派', body: AssignInput } }, async (req) => tasks.assign(requirePermission(req, 'review.run'), req.body));
  r.get('/api/review/tasks/:id', { schema: { tags, summary: 'The review form: a task and its findings / 审核表', params: IdParams } }, async (req) => tasks.getTask(requirePermission(req, 'review.task'), req.params.id));
  r.post('/api/review/tasks/:id/findings', { schema: { tags, summary: "The reviewer's own finding / 新增审核发现", params: IdParams, body: OwnFindingInput } }, async (req, reply) =>
    reply.status(201).send(await tasks.addFinding(requirePermission(req, 'review.task'), req.params.id, req.body)),
  );
  r.post('/api/review/tasks/:id/complete', { schema: { tags, summary: 'Complete the task: confirmed findings onto the ledger / 办结', params: IdParams, body: CompleteInput } }, async (req) =>
    tasks.completeTask(requirePermission(req, 'review.task'), req.params.id, req.body),
  );
  r.post('/api/review/findings/:id/decision', { schema: { tags, summary: 'Confirm or dismiss a finding, with the reason / 确认或排除', params: IdParams, body: FindingDecisionInput } }, async (req) =>
    tasks.decideFinding(requirePermission(req, 'review.task'), req.params.id, req.body),
  );
  r.get(
    '/api/review/rollup/export',
    {
      schema: {
        tags,
        summary: 'The roll-up as csv or xlsx: by region, then by problem type and by agency / 导出抽查汇总',
        querystring: z.object({ period: z.string().regex(/^\d{4}(H[12]|Q[1-4])$/), region: z.string().regex(/^(\d{2}|\d{4})?$/).optional(), format: z.enum(['csv', 'xlsx']).default('xlsx') }).strict(),
      },
    },
    async (req, reply) => {
      const r = await tasks.rollup(requirePermission(req, 'review.run'), req.query);
      const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
      const headers = ['分组 section', '名称 name', '新发及变更 population', '已抽取 sampled', '已审核 reviewed', '覆盖率% coverage', '有问题 with problems', '问题率% problem rate'];
      const rows = [
        ...r.rows.map((x) => ['行政区 region', `${x.regionName}（${x.regionCode}）`, x.population, x.sampled, x.reviewed, pct(x.coverage), x.withProblems, pct(x.problemRate)]),
        ['合计 total', r.region || '全国', r.total.population, r.total.sampled, r.total.reviewed, pct(r.total.coverage), r.total.withProblems, pct(r.total.problemRate)],
        ...r.byType.map((x) => ['问题类型 problem type', `${x.label.zh} / ${x.label.en}`, null, null, null, null, x.n, null]),
        ...r.byAgency.map((x) => ['技术机构 agency', x.name, null, null, x.reviewed, null, x.withProblems, pct(x.problemRate)]),
      ];
      const name = `抽查汇总-${r.period}-${r.region || '全国'}`;
      return sheetDownload(reply, { name, sheet: '抽查汇总', format: req.query.format }, headers, rows);
    },
  );
  r.get('/api/review/rollup', { schema: { tags, summary: 'Roll-up for a period: coverage, problem rate by region, type and agency / 抽查汇总', querystring: z.object({ period: z.string().regex(/^\d{4}(H[12]|Q[1-4])$/), region: z.string().regex(/^(\d{2}|\d{4})?$/).optional() }).strict() } }, async (req) =>
    tasks.rollup(requirePermission(req, 'review.run'), req.query),
  );
}

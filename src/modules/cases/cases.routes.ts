import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AgencyInput,
  AgencyView,
  AttachmentKind,
  AttachmentView,
  CaseActionInput,
  CaseContentInput,
  CaseCreateInput,
  CaseDetail,
  CaseList,
  CaseListQuery,
  CaseView,
  EligibleExpert,
  ExpertInput,
  ExpertUpdateInput,
  ExpertView,
  OnSiteRatio,
  OnSiteRatioQuery,
  OnSiteReviewInput,
  TemplateSummary,
} from '../../contracts/cases.ts';
import { PermitContent, Problem } from '../../contracts/permits.ts';
import { listTemplates } from './cases.templates.ts';
import { ValidationError } from '../../platform/errors.ts';
import { readUpload } from '../../platform/multipart.ts';
import { requirePermission } from '../identity/index.ts';
import type { CasesService } from './cases.service.ts';

const IdParams = z.object({ id: z.uuid() });

/**
 * Procedures (许可办件), the expert pool and technical agencies.
 * - POST /api/cases — 201 open a case (application/registration draft by the unit; authority case by an official)
 * - GET /api/cases — the queue (due dates, overdue and near-due flags); GET /api/cases/:id — the case with its history
 * - PUT /api/cases/:id/content — the applicant saves the content (draft, supplement)
 * - POST /api/cases/:id/actions — one step of the state machine (409 illegal step or conflict; 403 wrong party)
 * - POST /api/cases/:id/on-site-reviews — 201 an on-site review record
 * - POST /api/cases/:id/attachments (multipart: file, kind, onSiteReviewId) — 201; GET …/attachments/:aid — the file
 * - GET /api/cases/:id/eligible-experts; GET/POST /api/experts, PATCH /api/experts/:id; GET/POST /api/agencies
 * - GET /api/cases/on-site-ratio?from=&to= — the on-site review ratio per city
 */
export function registerCaseRoutes(app: FastifyInstance, deps: { cases: CasesService }) {
  const { cases } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['cases'];

  r.post('/api/cases', { schema: { tags, summary: 'Open a case / 新建办件（申请、登记或依职权立案）', body: CaseCreateInput, response: { 201: CaseView } } }, async (req, reply) => {
    return reply.status(201).send(await cases.openCase(requirePermission(req, 'cases.read'), req.body));
  });
  r.get('/api/cases', { schema: { tags, summary: 'The case queue / 办件队列', querystring: CaseListQuery, response: { 200: CaseList } } }, async (req) => {
    return cases.listCases(requirePermission(req, 'cases.read'), req.query);
  });
  r.get(
    '/api/cases/on-site-ratio',
    { schema: { tags, summary: 'On-site review ratio per city against the target / 现场审核比例', querystring: OnSiteRatioQuery, response: { 200: OnSiteRatio } } },
    async (req) => cases.onSiteRatio(requirePermission(req, 'cases.decide'), req.query),
  );
  r.get('/api/cases/templates', { schema: { tags, summary: 'Typical-industry application templates / 典型行业填报模板', response: { 200: z.object({ items: z.array(TemplateSummary) }) } } }, async (req) => {
    requirePermission(req, 'cases.read');
    return { items: listTemplates() };
  });
  r.get(
    '/api/cases/templates/:templateId/content',
    { schema: { tags, summary: 'A template filled for a site / 按模板生成申请内容', params: z.object({ templateId: z.string().regex(/^[a-z_]{1,40}$/) }), querystring: z.object({ unitId: z.uuid() }).strict(), response: { 200: PermitContent } } },
    async (req) => cases.templateFor(requirePermission(req, 'cases.apply'), req.params.templateId, req.query.unitId),
  );
  r.get('/api/cases/:id', { schema: { tags, summary: 'A case with its history / 办件详情', params: IdParams, response: { 200: CaseDetail } } }, async (req) => {
    return cases.getCase(requirePermission(req, 'cases.read'), req.params.id);
  });
  r.put(
    '/api/cases/:id/content',
    { schema: { tags, summary: 'Save the application content / 保存申请内容', params: IdParams, body: CaseContentInput, response: { 200: z.object({ case: CaseView, problems: z.array(Problem) }) } } },
    // the unit, or the agency it named as preparing the application (the service checks which)
    async (req) => cases.saveContent(requirePermission(req, 'cases.read'), req.params.id, req.body.expectedVersion, req.body.content),
  );
  r.post('/api/cases/:id/actions', { schema: { tags, summary: 'Take a step / 办理（受理、补正、评估、决定…）', params: IdParams, body: CaseActionInput, response: { 200: CaseView } } }, async (req) => {
    return cases.act(requirePermission(req, 'cases.read'), req.params.id, req.body);
  });
  r.post(
    '/api/cases/:id/on-site-reviews',
    {
      schema: {
        tags,
        summary: 'Record an on-site review / 记录现场审核',
        params: IdParams,
        body: OnSiteReviewInput.extend({ expectedVersion: z.number().int().min(1) }),
        response: { 201: z.object({ reviewId: z.uuid(), case: CaseView }) },
      },
    },
    async (req, reply) => {
      const { expectedVersion, ...review } = req.body;
      return reply.status(201).send(await cases.recordOnSiteReview(requirePermission(req, 'cases.decide'), req.params.id, expectedVersion, review));
    },
  );
  r.post(
    '/api/cases/:id/attachments',
    { schema: { tags, summary: 'Attach a file (multipart: file, kind, onSiteReviewId) / 上传附件', params: IdParams, consumes: ['multipart/form-data'], response: { 201: AttachmentView } } },
    async (req, reply) => {
      const actor = requirePermission(req, 'cases.read');
      const { file, fields } = await readUpload(req);
      const kind = AttachmentKind.safeParse(fields.kind ?? 'other');
      if (!kind.success) throw new ValidationError({ zh: `附件类别不正确：${fields.kind}`, en: `Unknown attachment kind: ${fields.kind}` });
      const onSiteReviewId = fields.onSiteReviewId ? z.uuid().safeParse(fields.onSiteReviewId) : undefined;
      if (onSiteReviewId && !onSiteReviewId.success) throw new ValidationError({ zh: 'onSiteReviewId 不是有效编号', en: 'onSiteReviewId is not a valid id' });
      return reply.status(201).send(await cases.addAttachment(actor, req.params.id, { kind: kind.data, fileName: file.filename, data: file.data, onSiteReviewId: onSiteReviewId?.data }));
    },
  );
  r.get(
    '/api/cases/:id/attachments/:aid',
    { schema: { tags, summary: 'Download an attachment / 下载附件', params: IdParams.extend({ aid: z.uuid() }) } },
    async (req, reply) => {
      const a = await cases.getAttachment(requirePermission(req, 'cases.read'), req.params.id, req.params.aid);
      return reply
        .header('content-type', a.mediaType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`)
        .header('x-content-sha256', a.sha256)
        .send(a.data);
    },
  );
  r.get('/api/cases/:id/eligible-experts', { schema: { tags, summary: 'Experts who may evaluate the case, and why others may not / 可选专家', params: IdParams, response: { 200: z.object({ items: z.array(EligibleExpert) }) } } }, async (req) => {
    return cases.eligibleExperts(requirePermission(req, 'cases.decide'), req.params.id);
  });

  const etags = ['experts'];
  r.get(
    '/api/experts',
    {
      schema: {
        tags: etags,
        summary: 'The expert pools / 专家库',
        querystring: z.object({ poolRegion: z.string().regex(/^\d{2}(\d{2})?$/).optional(), activeOn: z.iso.date().optional(), specialty: z.string().regex(/^\d{2,4}$/).optional() }).strict(),
        response: { 200: z.object({ items: z.array(ExpertView) }) },
      },
    },
    async (req) => cases.listExperts(requirePermission(req, 'experts.manage'), req.query),
  );
  r.post('/api/experts', { schema: { tags: etags, summary: 'Add an expert to a pool / 专家入库', body: ExpertInput, response: { 201: ExpertView } } }, async (req, reply) => {
    return reply.status(201).send(await cases.createExpert(requirePermission(req, 'experts.manage'), req.body));
  });
  r.patch('/api/experts/:id', { schema: { tags: etags, summary: 'Update an expert (specialties, relations, leaving the pool) / 专家信息更新', params: IdParams, body: ExpertUpdateInput, response: { 200: ExpertView } } }, async (req) => {
    return cases.updateExpert(requirePermission(req, 'experts.manage'), req.params.id, req.body);
  });
  r.get('/api/agencies', { schema: { tags: etags, summary: 'Technical agencies / 技术机构', querystring: z.object({ q: z.string().trim().min(1).max(60).optional() }).strict(), response: { 200: z.object({ items: z.array(AgencyView) }) } } }, async (req) => {
    return cases.listAgencies(requirePermission(req, 'cases.read'), req.query);
  });
  r.post('/api/agencies', { schema: { tags: etags, summary: 'List a technical agency / 登记技术机构', body: AgencyInput, response: { 201: AgencyView } } }, async (req, reply) => {
    return reply.status(201).send(await cases.createAgency(requirePermission(req, 'experts.manage'), req.body));
  });
}

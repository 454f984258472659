import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePermission } from '../identity/index.ts';
import { sheetDownload } from '../registry/index.ts';
import { LedgerDecisionInput, LedgerItemInput, LedgerUpdateInput, type LedgerService } from './ledger.service.ts';

const IdParams = z.object({ id: z.uuid() });

/**
 * 整改台账.
 * - GET /api/rectifications (status, overdue, region, unitId, permitId, page) · POST — 201 an item
 * - GET /api/rectifications/summary — clearance by city
 * - GET /api/rectifications/:id — the item with its updates
 * - POST /api/rectifications/:id/updates — progress or evidence (the unit, or an official)
 * - POST /api/rectifications/:id/close — 销号 after the evidence is seen (409 without evidence)
 * - POST /api/rectifications/:id/reject — the evidence does not do
 * - POST /api/permits/:id/rectifications/sync — the permit's 改正规定 onto the ledger
 */
export function registerLedgerRoutes(app: FastifyInstance, deps: { ledger: LedgerService }) {
  const { ledger } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['ledger'];
  r.get(
    '/api/rectifications',
    {
      schema: {
        tags,
        summary: 'The rectification ledger / 整改台账',
        querystring: z
          .object({
            status: z.enum(['open', 'evidence_submitted', 'closed']).optional(),
            overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
            escalated: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
            region: z.string().regex(/^\d{2,6}$/).optional(),
            unitId: z.uuid().optional(),
            permitId: z.uuid().optional(),
            page: z.coerce.number().int().min(1).max(10_000).optional(),
            pageSize: z.coerce.number().int().min(1).max(100).optional(),
          })
          .strict(),
      },
    },
    async (req) => ledger.listItems(requirePermission(req, 'ledger.read'), req.query),
  );
  r.post('/api/rectifications', { schema: { tags, summary: 'Put a problem on the ledger / 新增整改事项', body: LedgerItemInput } }, async (req, reply) => reply.status(201).send(await ledger.createItem(requirePermission(req, 'ledger.manage'), req.body)));
  r.get(
    '/api/rectifications/export',
    {
      schema: {
        tags,
        summary: 'The ledger as csv or xlsx / 导出整改台账',
        querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx'), status: z.enum(['open', 'evidence_submitted', 'closed']).optional(), overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), escalated: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), region: z.string().regex(/^\d{2,6}$/).optional() }).strict(),
      },
    },
    async (req, reply) => {
      const items = await ledger.exportItems(requirePermission(req, 'ledger.read'), req.query);
      const STATUS: Record<string, string> = { open: '整改中', evidence_submitted: '待核实', closed: '已销号' };
      const SOURCE: Record<string, string> = { permit_requirement: '许可证改正规定', review_finding: '质量审核', manual: '其他' };
      const ESCALATION = ['', '已报市级', '已报省级'];
      const headers = ['行政区划 region', '问题 problem', '依据 basis', '来源 source', '责任单位 responsible', '整改期限 deadline', '状态 status', '是否逾期 overdue', '逾期上报 escalated', '销号人 closed by', '销号时间 closed at'];
      const rows = items.map((i) => [i.regionCode, i.problem, i.basis, SOURCE[i.source] ?? i.source, i.responsible, i.deadline, STATUS[i.status] ?? i.status, i.overdue ? '是' : '否', ESCALATION[i.escalationLevel] ?? '', i.closedBy, i.closedAt ? i.closedAt.toISOString() : null]);
      const name = `整改台账-${new Date().toISOString().slice(0, 10)}`;
      return sheetDownload(reply, { name, sheet: '整改台账', format: req.query.format }, headers, rows);
    },
  );
  r.get('/api/rectifications/summary', { schema: { tags, summary: 'Clearance by city / 整改清零情况', querystring: z.object({ region: z.string().regex(/^\d{2,6}$/).optional() }).strict() } }, async (req) => ledger.summary(requirePermission(req, 'ledger.read'), req.query));
  r.get('/api/rectifications/:id', { schema: { tags, summary: 'An item and its updates / 整改事项', params: IdParams } }, async (req) => ledger.getItem(requirePermission(req, 'ledger.read'), req.params.id));
  r.post('/api/rectifications/:id/updates', { schema: { tags, summary: 'Progress or evidence / 整改进展与证据', params: IdParams, body: LedgerUpdateInput } }, async (req) => ledger.addUpdate(requirePermission(req, 'ledger.read'), req.params.id, req.body));
  r.post('/api/rectifications/:id/close', { schema: { tags, summary: 'Close out after verifying the evidence / 核实销号', params: IdParams, body: LedgerDecisionInput } }, async (req) => ledger.closeOut(requirePermission(req, 'ledger.manage'), req.params.id, req.body));
  r.post('/api/rectifications/:id/reject', { schema: { tags, summary: 'The evidence does not do / 退回', params: IdParams, body: LedgerDecisionInput } }, async (req) => ledger.rejectEvidence(requirePermission(req, 'ledger.manage'), req.params.id, req.body));
  r.post('/api/permits/:id/rectifications/sync', { schema: { tags, summary: "The permit's 改正规定 onto the ledger / 改正规定入账", params: IdParams } }, async (req) => ledger.syncPermitRequirements(requirePermission(req, 'ledger.manage'), req.params.id));
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { recordAudit } from '../audit/index.ts';
import { can } from '../identity/index.ts';
import { regionPrefixIs, type RegistryService } from '../registry/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import { rectificationItem, rectificationUpdate } from './ledger.tables.ts';
import { REFERENCE_DATA_DIR } from '../reference/index.ts';

let rules: { escalation: { overdue_days_to_city: number; overdue_days_to_province: number } } | undefined;
/** reference-data/ledger/ledger-rules.json: when overdue items go up a level. */
const ledgerRules = () => (rules ??= JSON.parse(readFileSync(join(REFERENCE_DATA_DIR, 'ledger', 'ledger-rules.json'), 'utf8')));

type Item = typeof rectificationItem.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A new open item: what it is about, and the bookkeeping every item starts with. */
function newItem(actor: Actor, now: Date, what: Pick<Item, 'regionCode' | 'unitId' | 'entityId' | 'permitId' | 'source' | 'sourceRef' | 'problem' | 'basis' | 'responsible' | 'deadline'>): Item {
  return { id: uuidv7(), ...what, status: 'open', escalationLevel: 0, escalatedAt: null, closedAt: null, closedBy: null, version: 1, createdBy: actor.username, createdAt: now, updatedAt: now };
}

/** A confirmed review finding to put on the ledger (the review module's, in its transaction). */
export interface FindingItem {
  findingId: string;
  regionCode: string;
  unitId: string;
  entityId: string;
  permitId: string;
  problem: string;
  basis: string;
  responsible: string;
  deadline: string;
}

export const LedgerItemInput = z
  .object({
    unitId: z.uuid(),
    permitId: z.uuid().optional(),
    source: z.enum(['manual', 'review_finding']),
    /** review_finding: the finding (e.g. review:<result id>) — one item per finding */
    sourceRef: z.string().trim().min(1).max(200).optional(),
    problem: z.string().trim().min(2).max(2000),
    basis: z.string().trim().max(500).optional(),
    responsible: z.string().trim().min(1).max(100).optional(),
    deadline: z.iso.date(),
  })
  .strict();
export const LedgerUpdateInput = z
  .object({
    kind: z.enum(['progress', 'evidence']),
    note: z.string().trim().min(2).max(4000),
    evidenceName: z.string().trim().min(1).max(200).optional(),
    evidenceSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();
export const LedgerDecisionInput = z.object({ expectedVersion: z.number().int().min(1), note: z.string().trim().min(2).max(4000) }).strict();

class LedgerItemNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '整改事项', en: 'rectification item' });
  }
}

export type LedgerService = ReturnType<typeof createLedgerService>;

/**
 * 整改台账 (issue 4 item 5): items from any source, their progress and evidence, close-out (销号)
 * only after an official has seen the evidence, overdue items flagged, clearance by region.
 */
export function createLedgerService(deps: { db: Db; clock: Clock; registry: Pick<RegistryService, 'getUnit'> }) {
  const { db, clock } = deps;
  const today = () => chinaDate(clock.now());

  /** Officials their jurisdiction; a unit's users their entity's items; nobody else. */
  function scope(actor: Actor): SQL {
    if (actor.role === 'enterprise') return actor.entityId ? eq(rectificationItem.entityId, actor.entityId) : sql`false`;
    if (!can(actor.role, 'ledger.read')) return sql`false`;
    return regionPrefixIs(rectificationItem.regionCode, actor.regionPrefix);
  }
  const official = (actor: Actor) => can(actor.role, 'ledger.manage');

  /** The caller's scope and the list's filters, shared by the list, the export and the summary. */
  function filters(actor: Actor, q: { status?: string; overdue?: boolean; escalated?: boolean; region?: string; unitId?: string; permitId?: string }, on: string) {
    const conds: SQL[] = [scope(actor)];
    if (q.escalated) conds.push(sql`${rectificationItem.escalationLevel} > 0 and ${rectificationItem.status} <> 'closed'`);
    if (q.status) conds.push(eq(rectificationItem.status, q.status));
    if (q.overdue) conds.push(sql`${rectificationItem.status} <> 'closed' and ${rectificationItem.deadline} < ${on}::date`);
    if (q.region) conds.push(regionPrefixIs(rectificationItem.regionCode, q.region));
    if (q.unitId) conds.push(eq(rectificationItem.unitId, q.unitId));
    if (q.permitId) conds.push(eq(rectificationItem.permitId, q.permitId));
    return and(...conds);
  }

  async function find(actor: Actor, id: string): Promise<Item> {
    const [row] = await db.select().from(rectificationItem).where(and(eq(rectificationItem.id, id), scope(actor)));
    if (!row) throw new LedgerItemNotFoundError();
    return row;
  }
  const view = (i: Item, on = today()) => ({ ...i, overdue: i.status !== 'closed' && i.deadline < on });

  /** Insert items (skipping those whose source is already in the ledger) with their audit events, in the caller's transaction if given. */
  async function insertItems(actor: Actor, rows: Item[], within?: Tx) {
    if (rows.length === 0) return [];
    const write = async (tx: Tx) => {
      const made = await tx.insert(rectificationItem).values(rows).onConflictDoNothing().returning();
      for (const m of made) await recordAudit(tx, clock, actor, { action: 'ledger.create', entityType: 'rectification_item', entityId: m.id, regionCode: m.regionCode, after: { source: m.source, sourceRef: m.sourceRef, problem: m.problem, deadline: m.deadline } });
      return made;
    };
    return within ? write(within) : db.transaction(write);
  }

  async function move(actor: Actor, item: Item, expectedVersion: number | null, set: Partial<Item>, update: { kind: string; note: string; evidenceName?: string; evidenceSha256?: string }) {
    const now = clock.now();
    return db.transaction(async (tx) => {
      const [after] = await tx
        .update(rectificationItem)
        .set({ ...set, version: item.version + 1, updatedAt: now })
        .where(and(eq(rectificationItem.id, item.id), eq(rectificationItem.version, expectedVersion ?? item.version)))
        .returning();
      if (!after) throw new ConflictError('LEDGER_CHANGED', { zh: '整改事项已被他人处理，请刷新后重试', en: 'Someone else acted on the item; reload and try again' });
      await tx.insert(rectificationUpdate).values({ id: uuidv7(), itemId: item.id, regionCode: item.regionCode, kind: update.kind, note: update.note, evidenceName: update.evidenceName ?? null, evidenceSha256: update.evidenceSha256 ?? null, actorName: actor.displayName, at: now });
      await recordAudit(tx, clock, actor, { action: `ledger.${update.kind}`, entityType: 'rectification_item', entityId: item.id, regionCode: item.regionCode, before: { status: item.status, version: item.version }, after: { status: after.status, version: after.version, note: update.note } });
      return view(after);
    });
  }

  return {
    /** A problem put on the ledger by an official (from a review finding, or by hand). */
    async createItem(actor: Actor, input: z.infer<typeof LedgerItemInput>) {
      if (!official(actor)) throw new ForbiddenError();
      const unit = await deps.registry.getUnit(actor, input.unitId);
      if (input.deadline < today()) throw new ValidationError({ zh: `整改期限 ${input.deadline} 已过`, en: `The deadline ${input.deadline} has passed` });
      const now = clock.now();
      const [made] = await insertItems(actor, [
        newItem(actor, now, { regionCode: unit.regionCode, unitId: unit.id, entityId: unit.entityId, permitId: input.permitId ?? null, source: input.source, sourceRef: input.sourceRef ?? null, problem: input.problem, basis: input.basis ?? null, responsible: input.responsible ?? unit.name, deadline: input.deadline }),
      ]);
      if (!made) throw new ConflictError('LEDGER_EXISTS', { zh: '该问题已在整改台账中', en: 'The problem is already on the ledger' });
      return view(made);
    },

    /** The permit's 改正规定 put on the ledger (once each, per version). */
    async syncPermitRequirements(actor: Actor, permitId: string) {
      if (!official(actor)) throw new ForbiddenError();
      const [p] = await db
        .select({ id: permit.id, unitId: permit.unitId, entityId: permit.entityId, regionCode: permit.regionCode, number: permit.permitNumber, version: permit.currentVersion, content: permitVersion.content })
        .from(permit)
        .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
        .where(and(eq(permit.id, permitId), regionPrefixIs(permit.regionCode, actor.regionPrefix)));
      if (!p) throw new NotFoundError({ zh: '排污许可证', en: 'permit' });
      const unit = await deps.registry.getUnit(actor, p.unitId);
      const now = clock.now();
      const rows = (p.content as PermitContent).rectifications.map((r, i) =>
        newItem(actor, now, {
          regionCode: p.regionCode,
          unitId: p.unitId,
          entityId: p.entityId,
          permitId: p.id,
          source: 'permit_requirement',
          sourceRef: `permit:${p.id}:v${p.version}:${i}`,
          problem: r.requirement,
          basis: `排污许可证 ${p.number} 改正规定（排污许可管理条例第四十六条）`,
          responsible: unit.name,
          deadline: r.deadline,
        }),
      );
      const made = await insertItems(actor, rows);
      return { requirements: rows.length, created: made.length };
    },

    /**
     * Confirmed review findings onto the ledger, in the review's transaction (one item per
     * finding: a finding already there is skipped). Returns the finding id → item id made.
     */
    async addReviewFindings(actor: Actor, rows: FindingItem[], tx: Tx) {
      const now = clock.now();
      const made = await insertItems(
        actor,
        rows.map((r) => newItem(actor, now, { regionCode: r.regionCode, unitId: r.unitId, entityId: r.entityId, permitId: r.permitId, source: 'review_finding', sourceRef: `review:${r.findingId}`, problem: r.problem, basis: r.basis, responsible: r.responsible, deadline: r.deadline })),
        tx,
      );
      return new Map(made.map((m) => [m.sourceRef!.slice('review:'.length), m.id]));
    },

    /**
     * 逾期上报: items past their deadline and not closed go up a level — to the city after
     * overdue_days_to_city days, to the province after overdue_days_to_province — each step once,
     * with its audit event. Returns how many items rose to each level.
     */
    async escalateOverdue(actor: Actor) {
      const t = ledgerRules()!.escalation;
      const on = today();
      const now = clock.now();
      const daysOverdue = sql<number>`(${on}::date - ${rectificationItem.deadline})`;
      const counts = { city: 0, province: 0 };
      for (const [level, days, key] of [[2, t.overdue_days_to_province, 'province'], [1, t.overdue_days_to_city, 'city']] as const) {
        await db.transaction(async (tx) => {
          const rows = await tx
            .update(rectificationItem)
            .set({ escalationLevel: level, escalatedAt: now, version: sql`${rectificationItem.version} + 1`, updatedAt: now })
            .where(and(sql`${rectificationItem.status} <> 'closed'`, sql`${rectificationItem.escalationLevel} < ${level}`, sql`${daysOverdue} >= ${days}`))
            .returning({ id: rectificationItem.id, regionCode: rectificationItem.regionCode, deadline: rectificationItem.deadline });
          for (const r of rows) await recordAudit(tx, clock, actor, { action: 'ledger.escalate', entityType: 'rectification_item', entityId: r.id, regionCode: r.regionCode, after: { escalationLevel: level, deadline: r.deadline, on } });
          counts[key] = rows.length;
        });
      }
      return counts;
    },

    /** Progress or evidence, from the unit (or an official on its behalf). Evidence makes the item ready for verification. */
    async addUpdate(actor: Actor, id: string, input: z.infer<typeof LedgerUpdateInput>) {
      const item = await find(actor, id);
      if (item.status === 'closed') throw new AppError('LEDGER_CLOSED', 409, { zh: '该事项已销号', en: 'The item is closed' });
      if (input.kind === 'evidence' && !input.evidenceName) throw new ValidationError({ zh: '整改证据须写明材料名称', en: 'Name the evidence' });
      return move(actor, item, null, input.kind === 'evidence' ? { status: 'evidence_submitted' } : {}, input);
    },

    /** 销号: an official closes the item after seeing its evidence; without evidence it is refused. */
    async closeOut(actor: Actor, id: string, input: z.infer<typeof LedgerDecisionInput>) {
      if (!official(actor)) throw new ForbiddenError();
      const item = await find(actor, id);
      if (item.status !== 'evidence_submitted') throw new AppError('LEDGER_NO_EVIDENCE', 409, { zh: '尚未提交整改证据，不能销号', en: 'No evidence has been submitted: the item cannot be closed' });
      return move(actor, item, input.expectedVersion, { status: 'closed', closedAt: clock.now(), closedBy: actor.displayName }, { kind: 'verify', note: input.note });
    },

    /** The evidence does not show the problem put right: back to open, with the reason. */
    async rejectEvidence(actor: Actor, id: string, input: z.infer<typeof LedgerDecisionInput>) {
      if (!official(actor)) throw new ForbiddenError();
      const item = await find(actor, id);
      if (item.status !== 'evidence_submitted') throw new AppError('LEDGER_NO_EVIDENCE', 409, { zh: '尚未提交整改证据', en: 'No evidence has been submitted' });
      return move(actor, item, input.expectedVersion, { status: 'open' }, { kind: 'reject', note: input.note });
    },

    async getItem(actor: Actor, id: string) {
      const item = await find(actor, id);
      const updates = await db.select().from(rectificationUpdate).where(eq(rectificationUpdate.itemId, id)).orderBy(asc(rectificationUpdate.at));
      return { ...view(item), updates };
    },

    async listItems(actor: Actor, q: { status?: string; overdue?: boolean; escalated?: boolean; region?: string; unitId?: string; permitId?: string; page?: number; pageSize?: number }) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const on = today();
      const where = filters(actor, q, on);
      const [rows, [{ n }]] = await Promise.all([
        db.select().from(rectificationItem).where(where).orderBy(sql`(${rectificationItem.status} = 'closed')`, asc(rectificationItem.deadline), desc(rectificationItem.id)).limit(pageSize).offset((page - 1) * pageSize),
        db.select({ n: count() }).from(rectificationItem).where(where),
      ]);
      return { items: rows.map((r) => view(r, on)), total: Number(n), page, pageSize };
    },

    /** Every item the filters select (at most 100,000), for export. */
    async exportItems(actor: Actor, q: { status?: string; overdue?: boolean; escalated?: boolean; region?: string }) {
      const on = today();
      const rows = await db.select().from(rectificationItem).where(filters(actor, q, on)).orderBy(asc(rectificationItem.regionCode), asc(rectificationItem.deadline), asc(rectificationItem.id)).limit(100_000);
      return rows.map((r) => view(r, on));
    },

    /** Clearance by city: items, closed, open, overdue, and the share closed. */
    async summary(actor: Actor, q: { region?: string }) {
      const on = today();
      const rows = await db
        .select({
          city: sql<string>`left(${rectificationItem.regionCode}, 4)`,
          total: count(),
          closed: sql<number>`count(*) filter (where ${rectificationItem.status} = 'closed')`,
          overdue: sql<number>`count(*) filter (where ${rectificationItem.status} <> 'closed' and ${rectificationItem.deadline} < ${on}::date)`,
        })
        .from(rectificationItem)
        .where(filters(actor, q, on))
        .groupBy(sql`1`)
        .orderBy(sql`1`);
      return {
        rows: rows.map((r) => {
          const total = Number(r.total);
          const closed = Number(r.closed);
          return { cityCode: `${r.city}00`, total, closed, open: total - closed, overdue: Number(r.overdue), clearance: total ? closed / total : null };
        }),
      };
    },
  };
}

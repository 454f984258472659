import { uuidv7 } from '../../platform/ids.ts';
import { periodEnd } from '../../platform/work-calendar.ts';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { ValidationError, sqlState, sqlConstraint } from '../../platform/errors.ts';
import { recordAudit, recordAuditBatch, listAuditForEntity, type AuditInput } from '../audit/index.ts';
import type { UnitCreateInput, UnitUpdateInput, UnitListQuery, UnitView } from '../../contracts/registry.ts';
import { registryEntity, registryUnit, registryRegistration } from './registry.tables.ts';
import * as repo from './registry.repo.ts';
import { unitSearchTokens } from './search-tokens.ts';
import type { UnitSearch } from './unit-search.ts';
import { UnitRowCache } from './unit-row-cache.ts';
import { createFieldChecks, type FieldProblem, type ReferenceLookup } from './registry.validate.ts';
import {
  EntityExistsError,
  EntityExistsElsewhereError,
  EntityNotEditableError,
  EntityNotFoundError,
  RegistrationExistsError,
  RegistrationNotApplicableError,
  RegistrationNotValidError,
  SiteLimitError,
  UnitConcurrentUpdateError,
  UnitNotFoundError,
  UnitTransitionError,
} from './registry.errors.ts';

export const INDUSTRY_EDITION = 'GB/T 4754-2017';
/** 排污登记 validity: 5 years (排污登记工作指南（试行）, REGULATIONS.md §1.8). */
export const REGISTRATION_VALID_YEARS = 5;
/** Lists count matches up to this many and then say "N+": exact counts of huge sets cost seconds. */
export const COUNT_CAP = 1_000;
/**
 * Candidates one in-memory search may test before it gives up and the database answers
 * instead: ~2–4 ms of event loop on the measuring machine, so no query can stall the server.
 */
export const INDEX_WALK_BUDGET = 100_000;

export interface RegistryDeps {
  db: Db;
  clock: Clock;
  /** a fresh synchronous snapshot of the reference tables */
  reference: { lookup(): Promise<ReferenceLookup> };
  registrationLetter: string;
  /** the in-memory unit search; absent = every list query goes to SQL */
  search?: UnitSearch;
  /** rows kept for pages the search answers (see unit-row-cache.ts); 0 or absent = none */
  rowCacheSize?: number;
  /** where a failing onUnitClosed listener is reported */
  onListenerError?: (err: unknown) => void;
}

export type RegistryService = ReturnType<typeof createRegistryService>;

function fieldErrors(problems: (FieldProblem | null)[]) {
  const list = problems.filter((p): p is FieldProblem => !!p);
  if (list.length === 0) return;
  throw new ValidationError(
    { zh: list.map((p) => p.zh).join('；'), en: list.map((p) => p.en).join('; ') },
    { fields: list.map((p) => ({ field: p.field, value: p.value, message: p.zh, messageEn: p.en })) },
  );
}

/** Snapshot of a unit for the audit trail (what changed, before and after). */
function auditShape(u: Partial<repo.UnitRow>) {
  const { createdAt: _c, updatedAt: _u, ...rest } = u as any;
  return rest;
}

export function createRegistryService(deps: RegistryDeps) {
  const { db, clock, reference, search } = deps;
  const closedListeners: ((actor: Actor, unit: UnitView) => Promise<unknown>)[] = [];
  const lookup = () => reference.lookup();
  /**
   * A listed row as kept between requests: the database row, and its view rendered with the
   * reference snapshot `ref` (region and industry names; rendered again when that changes),
   * frozen because every request that lists the unit gets this same object.
   */
  type KeptRow = { id: string; version: number; row: repo.UnitRow; view?: UnitView; ref?: ReferenceLookup };
  const rowCache = new UnitRowCache<KeptRow>(deps.rowCacheSize ?? 0);
  search?.onChange((ids) => rowCache.evict(ids));
  /** Each kept view's JSON, written once (see serializeUnitList). */
  const viewJson = new WeakMap<UnitView, string>();

  const viewWith = (ref: ReferenceLookup) => (r: repo.UnitRow): UnitView => ({
    ...r,
    managementCategory: r.managementCategory as UnitView['managementCategory'],
    status: r.status as UnitView['status'],
    regionName: ref.regionName(r.regionCode) ?? null,
    industryName: ref.industryName(r.industryCode) ?? null,
  });
  const view = async (r: repo.UnitRow) => viewWith(await lookup())(r);

  /** The 409 for an existing credit code: named only when the caller may see that entity. */
  async function existingEntityError(actor: Actor, creditCode: string, tx: Tx = db) {
    const e = await repo.getEntityByCreditCode(tx, creditCode);
    if (!e) return new EntityExistsElsewhereError(creditCode);
    const visible = await repo.getEntityRow(tx, actor, e.id);
    return visible ? new EntityExistsError({ id: e.id, name: e.name, creditCode: e.creditCode, regionCode: e.regionCode }) : new EntityExistsElsewhereError(creditCode);
  }

  /** After a unit write commits: the search index rereads it before the caller answers. */
  async function setStatus(actor: Actor, id: string, to: 'closed' | 'active', version: number, reason?: string) {
    return afterCommit(await db.transaction(async (tx) => {

        const before = await repo.getUnitRow(tx, actor, id);
        if (!before) throw new UnitNotFoundError();
        const from = to === 'closed' ? 'active' : 'closed';
        if (before.status !== from) throw new UnitTransitionError(before.status, to);
        const now = clock.now();
        const updated = await tx
          .update(registryUnit)
          .set({
            status: to,
            searchTokens: unitSearchTokens({ ...before, status: to }),
            closedAt: to === 'closed' ? now : null,
            closeReason: to === 'closed' ? (reason ?? null) : null,
            updatedAt: now,
            version: sql`${registryUnit.version} + 1`,
          })
          .where(and(eq(registryUnit.id, id), eq(registryUnit.status, from), eq(registryUnit.version, version)))
          .returning({ id: registryUnit.id });
        if (updated.length === 0) throw new UnitConcurrentUpdateError();
        await recordAudit(tx, clock, actor, {
          action: to === 'closed' ? 'unit.close' : 'unit.reopen',
          entityType: 'unit',
          entityId: id,
          regionCode: before.regionCode,
          before: { status: from },
          after: { status: to, ...(reason ? { reason } : {}) },
        });
        return view((await repo.getUnitRow(tx, actor, id))!);
      }));
  }

  async function afterCommit<T extends { id: string }>(unit: T): Promise<T> {
    await search?.refresh([unit.id]);
    return unit;
  }

  /**
   * Whether the in-memory index should answer this list query: newest first (the SQL default
   * order — `sort` alone means ascending), no credit-code filter, and not scoped to one entity
   * (an enterprise user, an entity filter): those have a database index of their own, while the
   * in-memory walk would test every unit in scope on the event loop.
   */
  function indexable(actor: Actor, q: UnitListQuery) {
    if (!search?.ready || q.creditCode || q.entityId || actor.role === 'enterprise') return false;
    if (q.sort && q.sort !== 'createdAt') return false;
    return (q.order ?? (q.sort ? 'asc' : 'desc')) === 'desc';
  }

  return {
    /**
     * JSON.stringify(list), byte for byte, reusing the JSON of rows listed before: most of a
     * busy list endpoint's time was spent writing the same rows out again.
     */
    serializeUnitList(list: { items: UnitView[]; total: number; totalCapped: boolean; page: number; pageSize: number }): string {
      const items = list.items.map((item) => {
        let json = viewJson.get(item);
        if (json === undefined) {
          json = JSON.stringify(item);
          if (Object.isFrozen(item)) viewJson.set(item, json);
        }
        return json;
      });
      const { items: _, ...rest } = list;
      const tail = JSON.stringify(rest);
      return `{"items":[${items.join(',')}]${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`;
    },

    /** After a bulk write (import): returns once the unit search shows everything committed so far. */
    async searchSettled() {
      await search?.sync();
    },

    /** Field checks bound to the current reference data (for the import). */
    async checks() {
      return createFieldChecks(await lookup());
    },

    /**
     * One page of the list and a capped count. The count runs first because it tells which
     * plan suits the page: a narrow search (≤ COUNT_CAP matches) is best served from the
     * search-token index, a broad one newest-first by walking the created_at index and stopping
     * after one page — the planner cannot tell the two apart (its estimate for token arrays is
     * far off), so for broad searches bitmap scans are switched off for that one statement.
     */
    async listUnits(actor: Actor, q: UnitListQuery) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const hit = indexable(actor, q)
        ? search!.search(
            { scopePrefix: actor.regionPrefix, region: q.region, industry: q.industry, category: q.category, status: q.status, q: q.q },
            (page - 1) * pageSize,
            pageSize,
            COUNT_CAP,
            INDEX_WALK_BUDGET,
          )
        : undefined;
      // undefined: not for the index, or the walk ran over its budget (deep pages, rare
      // one-character fragments) and the database answers instead, off the event loop.
      if (hit) {
        // Each row at the version the index holds: from memory when kept, else from the
        // database, scoped there again.
        // Not while the index is known to be behind: then every row is read, scoped, from
        // the database.
        const useKept = search!.current;
        const generation = rowCache.generation;
        const now = clock.now().getTime();
        const kept = hit.ids.map((id, i) => (useKept ? rowCache.get(id, hit.versions[i], now) : undefined));
        const missing = hit.ids.filter((_, i) => !kept[i]);
        if (missing.length) {
          const read = (await repo.getUnitRowsByIds(db, actor, missing)).map((row): KeptRow => ({ id: row.id, version: row.version, row }));
          if (useKept) rowCache.put(read, generation, now);
          const byId = new Map(read.map((k) => [k.id, k]));
          hit.ids.forEach((id, i) => (kept[i] ??= byId.get(id)));
        }
        const ref = await lookup();
        const v = viewWith(ref);
        const items = kept.flatMap((k) => {
          if (!k) return [];
          if (k.ref !== ref) {
            k.view = Object.freeze(v(k.row));
            k.ref = ref;
            // The view holds every field of the row: keep one object, not two.
            k.row = k.view as unknown as repo.UnitRow;
          }
          return [k.view!];
        });
        return { items, total: Math.min(hit.counted, COUNT_CAP), totalCapped: hit.counted > COUNT_CAP, page, pageSize };
      }
      const total = await repo.countUnits(db, actor, q, COUNT_CAP);
      const broad = total > COUNT_CAP && (q.sort ?? 'createdAt') === 'createdAt';
      const rows = broad
        ? await db.transaction(async (tx) => {
            // Without these the planner, trusting its estimate, reads every match and sorts (or
            // JIT-compiles a plan it believes expensive). Local to this transaction.
            await tx.execute(
              sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`,
            );
            return repo.listUnitRows(tx, actor, q, pageSize, (page - 1) * pageSize);
          })
        : await repo.listUnitRows(db, actor, q, pageSize, (page - 1) * pageSize);
      const v = viewWith(await lookup());
      return { items: rows.map(v), total: Math.min(total, COUNT_CAP), totalCapped: total > COUNT_CAP, page, pageSize };
    },

    /** Rows for export, in pages (oldest first), within scope; the caller streams them out. */
    async *exportUnits(actor: Actor, q: UnitListQuery, max = 1_000_000, pageSize = 5000): AsyncGenerator<UnitView[]> {
      let after: { createdAt: Date; id: string } | null = null;
      for (let done = 0; done < max; ) {
        const rows = await repo.listUnitRowsAfter(db, actor, q, after, Math.min(pageSize, max - done));
        if (rows.length === 0) return;
        yield rows.map(viewWith(await lookup()));
        done += rows.length;
        const last = rows[rows.length - 1];
        after = { createdAt: last.createdAt, id: last.id };
        if (rows.length < pageSize) return;
      }
    },

    async getUnit(actor: Actor, id: string) {
      const row = await repo.getUnitRow(db, actor, id);
      if (!row) throw new UnitNotFoundError();
      return view(row);
    },

    async getEntity(actor: Actor, id: string) {
      const row = await repo.getEntityRow(db, actor, id);
      if (!row) throw new EntityNotFoundError();
      return row;
    },

    /**
     * Create a site, for an existing entity or with a new one. A second entity with the same
     * credit code is refused naming the existing one; concurrent creates race on the unique
     * index and exactly one wins.
     */
    async createUnit(actor: Actor, input: UnitCreateInput) {
      const checks = createFieldChecks(await lookup());
      const problems: (FieldProblem | null)[] = [checks.region(actor, 'regionCode', input.regionCode), checks.industry('industryCode', input.industryCode)];
      let creditCode: string | undefined;
      if (input.entity) {
        const cc = checks.creditCode('entity.creditCode', input.entity.creditCode, false);
        creditCode = cc.code;
        problems.push(cc.problem);
        problems.push(checks.knownRegion('entity.regionCode', input.entity.regionCode));
      }
      fieldErrors(problems);
      const now = clock.now();
      try {
        return await afterCommit(await db.transaction(async (tx) => {
          // Both events go in one batch so the per-province chain locks are always taken in
          // the same order (two creates with crossed provinces cannot deadlock).
          const audits: AuditInput[] = [];
          let entity: typeof registryEntity.$inferSelect;
          if (input.entity) {
            if (await repo.getEntityByCreditCode(tx, creditCode!)) throw await existingEntityError(actor, creditCode!, tx);
            entity = {
              id: uuidv7(),
              creditCode: creditCode!,
              creditCodeRaw: null,
              name: input.entity.name,
              legalRepresentative: input.entity.legalRepresentative ?? null,
              regionCode: input.entity.regionCode,
              createdAt: now,
              updatedAt: now,
              version: 1,
            };
            await tx.insert(registryEntity).values(entity);
            audits.push({ action: 'entity.create', entityType: 'entity', entityId: entity.id, regionCode: entity.regionCode, after: auditShape(entity) });
          } else {
            const found = await repo.getEntityRow(tx, actor, input.entityId!);
            if (!found) throw new EntityNotFoundError();
            entity = found;
          }
          const siteSeq = await repo.nextSiteSeq(tx, entity.id);
          if (siteSeq > 999) throw new SiteLimitError();
          const unit = {
            id: uuidv7(),
            entityId: entity.id,
            siteSeq,
            name: input.name,
            regionCode: input.regionCode,
            industryCode: input.industryCode,
            industryEdition: INDUSTRY_EDITION,
            managementCategory: input.managementCategory ?? null,
            status: 'active',
            address: input.address,
            longitude: input.longitude ?? null,
            latitude: input.latitude ?? null,
            contactPerson: input.contactPerson || null,
            contactPhone: input.contactPhone || null,
            createdAt: now,
            updatedAt: now,
            version: 1,
          };
          await tx.insert(registryUnit).values({ ...unit, searchTokens: unitSearchTokens(unit) });
          const shape = unit;
          audits.push({ action: 'unit.create', entityType: 'unit', entityId: unit.id, regionCode: unit.regionCode, after: auditShape({ ...shape, creditCode: entity.creditCode }) });
          await recordAuditBatch(tx, clock, actor, audits);
          return view((await repo.getUnitRow(tx, { ...actor, regionPrefix: '', role: 'admin' }, unit.id))!);
        }));
      } catch (err) {
        if (sqlState(err) === '23505' && sqlConstraint(err) === 'registry_entity_credit_code_uq') throw await existingEntityError(actor, creditCode!);
        throw err;
      }
    },

    async updateUnit(actor: Actor, id: string, input: UnitUpdateInput) {
      const checks = createFieldChecks(await lookup());
      const problems: (FieldProblem | null)[] = [];
      if (input.regionCode !== undefined) problems.push(checks.region(actor, 'regionCode', input.regionCode));
      if (input.industryCode !== undefined) problems.push(checks.industry('industryCode', input.industryCode));
      fieldErrors(problems);
      return afterCommit(await db.transaction(async (tx) => {
        const before = await repo.getUnitRow(tx, actor, id);
        if (!before) throw new UnitNotFoundError();
        const { version, ...changes } = input;
        const set: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(changes)) if (v !== undefined) set[k] = v === '' ? null : v;
        const merged = { ...before, ...set } as repo.UnitRow;
        const updated = await tx
          .update(registryUnit)
          .set({ ...set, searchTokens: unitSearchTokens(merged), updatedAt: clock.now(), version: sql`${registryUnit.version} + 1` })
          .where(and(eq(registryUnit.id, id), eq(registryUnit.version, version)))
          .returning({ id: registryUnit.id });
        if (updated.length === 0) throw new UnitConcurrentUpdateError();
        const after = (await repo.getUnitRow(tx, { ...actor, regionPrefix: '', role: 'admin' }, id))!;
        const changedBefore: Record<string, unknown> = {};
        const changedAfter: Record<string, unknown> = {};
        for (const k of Object.keys(changes)) {
          const key = k as keyof repo.UnitRow;
          if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
            changedBefore[k] = before[key];
            changedAfter[k] = after[key];
          }
        }
        await recordAudit(tx, clock, actor, { action: 'unit.update', entityType: 'unit', entityId: id, regionCode: after.regionCode, before: changedBefore, after: changedAfter });
        return view(after);
      }));
    },

    /**
     * Called after a site is closed and the close has committed (the cases module opens the
     * cancellation of its permit). A failing listener is reported through `onListenerError`;
     * the close stands either way.
     */
    onUnitClosed(listener: (actor: Actor, unit: UnitView) => Promise<unknown>) {
      closedListeners.push(listener);
    },

    async setUnitStatus(actor: Actor, id: string, to: 'closed' | 'active', version: number, reason?: string) {
      const unit = await setStatus(actor, id, to, version, reason);
      if (to === 'closed') {
        for (const l of closedListeners) await l(actor, unit).catch((err) => deps.onListenerError?.(err));
      }
      return unit;
    },

    /**
     * Edit an entity's name or legal representative. Only the jurisdiction where it is
     * registered may do so (a city where it merely runs a site may not); optimistic lock.
     */
    async updateEntity(actor: Actor, id: string, input: { version: number; name?: string; legalRepresentative?: string | null }) {
      const set: Record<string, unknown> = {};
      if (input.name !== undefined) set.name = input.name;
      if (input.legalRepresentative !== undefined) set.legalRepresentative = input.legalRepresentative || null;
      if (Object.keys(set).length === 0) throw new ValidationError({ zh: '没有要修改的内容', en: 'Nothing to change' });
      const updated = await db.transaction(async (tx) => {
        const before = await repo.getEntityRow(tx, actor, id);
        if (!before) throw new EntityNotFoundError();
        if (!before.regionCode.startsWith(actor.regionPrefix)) throw new EntityNotEditableError();
        const [after] = await tx
          .update(registryEntity)
          .set({ ...set, updatedAt: clock.now(), version: sql`${registryEntity.version} + 1` })
          .where(and(eq(registryEntity.id, id), eq(registryEntity.version, input.version)))
          .returning();
        if (!after) throw new UnitConcurrentUpdateError();
        await recordAudit(tx, clock, actor, {
          action: 'entity.update',
          entityType: 'entity',
          entityId: id,
          regionCode: before.regionCode,
          before: Object.fromEntries(Object.keys(set).map((k) => [k, (before as any)[k]])),
          after: set,
        });
        return after;
      });
      // Its units' list rows show the entity's name: wait until this process has taken in
      // the change (migration 0002 announces it), so the caller's next list shows it. The
      // update is committed whatever happens here: a failure to wait is not the caller's
      // failure (the index repairs itself, see unit-search.ts).
      await search?.sync().catch(() => {});
      return updated;
    },

    /** History of a unit (and its entity), only when the caller can see the unit. */
    async unitHistory(actor: Actor, id: string) {
      const unit = await repo.getUnitRow(db, actor, id);
      if (!unit) throw new UnitNotFoundError();
      const [a, b] = await Promise.all([listAuditForEntity(db, 'unit', id), listAuditForEntity(db, 'entity', unit.entityId)]);
      return [...a, ...b].sort((x, y) => y.occurredAt.getTime() - x.occurredAt.getTime() || y.seq - x.seq);
    },

    /**
     * 排污登记: number = credit code + 3-digit site sequence + letter (REGULATIONS.md §2.1; the
     * letter is uncertain, so configurable). Valid for five years.
     */
    async createRegistration(actor: Actor, input: { unitId: string; registeredOn?: string; dischargeDestination?: string | null; standards?: string | null; controlMeasures?: string | null }, within?: Tx) {
      // `within`: the caller's transaction (a registration case recording it).
      const run = async (tx: Tx) => {
        const unit = await repo.getUnitRow(tx, actor, input.unitId);
        if (!unit) throw new UnitNotFoundError();
        if (unit.status !== 'active') throw new RegistrationNotApplicableError('closed');
        if (unit.managementCategory === 'key' || unit.managementCategory === 'simplified') throw new RegistrationNotApplicableError('category');
        const registeredOn = input.registeredOn ?? clock.now().toISOString().slice(0, 10);
        const number = `${unit.creditCode}${String(unit.siteSeq).padStart(3, '0')}${deps.registrationLetter}`;
        const existing = await tx.select().from(registryRegistration).where(and(eq(registryRegistration.unitId, unit.id), eq(registryRegistration.status, 'valid')));
        if (existing.length) throw new RegistrationExistsError(existing[0].registrationNumber);
        // A site registered again after a cancellation gets its number back: the number names
        // the site, and only one valid registration per number may exist (partial unique index).
        const registrationNumber = number;
        const now = clock.now();
        const row = {
          id: uuidv7(),
          unitId: unit.id,
          regionCode: unit.regionCode,
          registrationNumber,
          status: 'valid',
          registeredOn,
          validUntil: periodEnd(registeredOn, REGISTRATION_VALID_YEARS),
          dischargeDestination: input.dischargeDestination ?? null,
          standards: input.standards ?? null,
          controlMeasures: input.controlMeasures ?? null,
          createdAt: now,
          updatedAt: now,
        };
        try {
          await tx.insert(registryRegistration).values(row);
        } catch (err) {
          if (sqlState(err) === '23505') throw new RegistrationExistsError(registrationNumber);
          throw err;
        }
        await recordAudit(tx, clock, actor, { action: 'registration.create', entityType: 'unit', entityId: unit.id, regionCode: unit.regionCode, after: { registrationId: row.id, registrationNumber, registeredOn, validUntil: row.validUntil } });
        return { ...row, cancelledAt: null };
      };
      return within ? run(within) : db.transaction(run);
    },

    async cancelRegistration(actor: Actor, registrationId: string) {
      return db.transaction(async (tx) => {
        const [reg] = await tx.select().from(registryRegistration).where(eq(registryRegistration.id, registrationId));
        if (!reg || !(await repo.getUnitRow(tx, actor, reg.unitId))) throw new UnitNotFoundError();
        const done = await tx
          .update(registryRegistration)
          .set({ status: 'cancelled', cancelledAt: clock.now(), updatedAt: clock.now() })
          .where(and(eq(registryRegistration.id, registrationId), eq(registryRegistration.status, 'valid')))
          .returning();
        if (done.length === 0) throw new RegistrationNotValidError();
        await recordAudit(tx, clock, actor, { action: 'registration.cancel', entityType: 'unit', entityId: reg.unitId, regionCode: reg.regionCode, before: { registrationNumber: reg.registrationNumber, status: 'valid' }, after: { status: 'cancelled' } });
        return done[0];
      });
    },

    async listRegistrations(actor: Actor, unitId: string) {
      if (!(await repo.getUnitRow(db, actor, unitId))) throw new UnitNotFoundError();
      return repo.listRegistrationRows(db, unitId);
    },
  };
}

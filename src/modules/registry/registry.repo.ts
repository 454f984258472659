import { and, asc, desc, eq, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../platform/db.ts';
import type { Actor } from '../../platform/actor.ts';
import type { UnitListQuery } from '../../contracts/registry.ts';
import { registryEntity, registryUnit, registryRegistration } from './registry.tables.ts';
import { COMMON_NAME_GRAMS, escapeLike, facet, nameGrams, normalizeForSearch } from './search-tokens.ts';

export const unitColumns = {
  id: registryUnit.id,
  entityId: registryUnit.entityId,
  creditCode: registryEntity.creditCode,
  entityName: registryEntity.name,
  siteSeq: registryUnit.siteSeq,
  name: registryUnit.name,
  regionCode: registryUnit.regionCode,
  industryCode: registryUnit.industryCode,
  industryEdition: registryUnit.industryEdition,
  managementCategory: registryUnit.managementCategory,
  status: registryUnit.status,
  address: registryUnit.address,
  longitude: registryUnit.longitude,
  latitude: registryUnit.latitude,
  contactPerson: registryUnit.contactPerson,
  contactPhone: registryUnit.contactPhone,
  closedAt: registryUnit.closedAt,
  closeReason: registryUnit.closeReason,
  createdAt: registryUnit.createdAt,
  updatedAt: registryUnit.updatedAt,
  version: registryUnit.version,
};
export type UnitRow = {
  [K in keyof typeof unitColumns]: (typeof unitColumns)[K]['_']['notNull'] extends true
    ? (typeof unitColumns)[K]['_']['data']
    : (typeof unitColumns)[K]['_']['data'] | null;
};

/**
 * The jurisdiction filter every unit query carries: the caller's region prefix, and for an
 * enterprise user their own entity. Applied here, in the data layer, not in the routes.
 */
/**
 * The entity an enterprise caller is limited to (an id matching nothing when the account has
 * none), or null for every other role.
 */
function ownEntity(actor: Actor): string | null {
  return actor.role === 'enterprise' ? (actor.entityId ?? '00000000-0000-0000-0000-000000000000') : null;
}

export function unitScope(actor: Actor): SQL {
  const conds: SQL[] = [];
  // left(…) = prefix rather than LIKE: the same rows, but the planner cannot turn it into a
  // scan of the region index — a jurisdiction covers a large share of all rows, and ANDing
  // that bitmap with the search-token lookup cost more than the whole rest of the query.
  if (actor.regionPrefix) conds.push(sql`left(${registryUnit.regionCode}, ${actor.regionPrefix.length}) = ${actor.regionPrefix}`);
  const own = ownEntity(actor);
  if (own) conds.push(eq(registryUnit.entityId, own));
  return conds.length ? and(...conds)! : sql`true`;
}

/** Entities are visible when registered in the jurisdiction or owning a site in it. */
export function entityScope(actor: Actor): SQL {
  const own = ownEntity(actor);
  if (own) return eq(registryEntity.id, own);
  if (!actor.regionPrefix) return sql`true`;
  const p = `${actor.regionPrefix}%`;
  return sql`(${registryEntity.regionCode} like ${p} or exists (select 1 from ${registryUnit} u where u.entity_id = ${registryEntity.id} and u.region_code like ${p}))`;
}

/** The characters normalizeForSearch removes, as a PostgreSQL regular expression. */
const NAME_NOISE = '[\\s\\u0000-\\u001f\\u007f\\u200b-\\u200f\\u2060\\ufeff]+';

export function unitFilters(actor: Actor, q: UnitListQuery): SQL {
  const conds: SQL[] = [unitScope(actor)];
  // Facet and name tokens go into one GIN lookup. A prefix that has a token needs no LIKE of
  // its own: the token is exact, and a redundant condition only misleads the planner's row
  // estimate (it multiplies selectivities as if they were independent).
  const tokens = new Set<string>();
  if (actor.regionPrefix) tokens.add(facet.region(actor.regionPrefix));
  let narrowing = 0;
  if (q.region) {
    if ([2, 4, 6].includes(q.region.length)) tokens.add(facet.region(q.region));
    else conds.push(like(registryUnit.regionCode, `${q.region}%`));
    narrowing++;
  }
  if (q.industry) {
    tokens.add(facet.industry(q.industry));
    narrowing++;
  }
  if (q.category) {
    tokens.add(facet.category(q.category));
    narrowing++;
  }
  if (q.status) {
    tokens.add(facet.status(q.status));
    narrowing++;
  }
  if (q.entityId) conds.push(eq(registryUnit.entityId, q.entityId));
  if (q.creditCode) conds.push(like(registryEntity.creditCode, `${escapeLike(q.creditCode.toUpperCase())}%`));
  if (q.q) {
    const needle = normalizeForSearch(q.q);
    if (needle) {
      const grams = [...needle].length >= 2 ? nameGrams(needle).filter((g) => !COMMON_NAME_GRAMS.has(g)) : [];
      if (grams.length) {
        for (const g of grams) tokens.add(g);
        narrowing++;
      }
      // Bigrams do not say the characters are adjacent in this order; LIKE confirms it.
      // The name normalized as normalizeForSearch does (NFKC, lower case, no spaces or
      // invisible characters), so this path matches exactly what the in-memory index matches.
      conds.push(sql`regexp_replace(lower(normalize(${registryUnit.name}, NFKC)), ${NAME_NOISE}, '', 'g') like ${`%${escapeLike(needle)}%`}`);
    }
  }
  if (narrowing > 0) conds.push(sql`${registryUnit.searchTokens} @> ${sql.param([...tokens])}::text[]`);
  return and(...conds)!;
}

/** Whether a list query needs the entity table beyond the displayed columns. */
function needsEntity(q: UnitListQuery) {
  return !!q.creditCode;
}

const SORTS = {
  name: registryUnit.name,
  creditCode: registryEntity.creditCode,
  regionCode: registryUnit.regionCode,
  industryCode: registryUnit.industryCode,
  createdAt: registryUnit.createdAt,
  updatedAt: registryUnit.updatedAt,
} as const;

/** The page query of the unit list, unexecuted (benchmarks EXPLAIN it). */
export function listUnitsQuery(db: Tx, actor: Actor, q: UnitListQuery, limit: number, offset: number) {
  const sort = q.sort ?? 'createdAt';
  const col = SORTS[sort];
  const dir = (q.order ?? (q.sort ? 'asc' : 'desc')) === 'asc' ? asc : desc;
  const query = db.select(unitColumns).from(registryUnit).innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId));
  if (needsEntity(q) || sort === 'creditCode') {
    return query.where(unitFilters(actor, q)).orderBy(dir(col), dir(registryUnit.id)).limit(limit).offset(offset);
  }
  // Pick the page from the unit table alone, then join the entity for those rows only: a
  // broad search may match thousands of units, and joining before the sort looked up an entity
  // for every one of them.
  const page = db.select({ id: registryUnit.id }).from(registryUnit).where(unitFilters(actor, q)).orderBy(dir(col), dir(registryUnit.id)).limit(limit).offset(offset);
  return query.where(inArray(registryUnit.id, page)).orderBy(dir(col), dir(registryUnit.id)).limit(limit);
}

export async function listUnitRows(db: Tx, actor: Actor, q: UnitListQuery, limit: number, offset: number): Promise<UnitRow[]> {
  return (await listUnitsQuery(db, actor, q, limit, offset)) as UnitRow[];
}

/**
 * Export pages in (created_at, id) order, continuing after the last row seen: keyset paging
 * costs the same for the last page as for the first, unlike OFFSET.
 */
export async function listUnitRowsAfter(db: Tx, actor: Actor, q: UnitListQuery, after: { createdAt: Date; id: string } | null, limit: number): Promise<UnitRow[]> {
  const where = after
    ? and(unitFilters(actor, q), sql`(${registryUnit.createdAt}, ${registryUnit.id}) > (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`)
    : unitFilters(actor, q);
  return (await db
    .select(unitColumns)
    .from(registryUnit)
    .innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId))
    .where(where)
    .orderBy(asc(registryUnit.createdAt), asc(registryUnit.id))
    .limit(limit)) as UnitRow[];
}

/** Count matches, stopping at `cap` so a national count never scans millions of rows. */
export function countUnitsQuery(db: Tx, actor: Actor, q: UnitListQuery, cap: number) {
  const base = db.select({ one: sql`1` }).from(registryUnit);
  const joined = needsEntity(q) ? base.innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId)) : base;
  const inner = joined.where(unitFilters(actor, q)).limit(cap + 1).as('m');
  return db.select({ n: sql<number>`count(*)::int` }).from(inner);
}

export async function countUnits(db: Tx, actor: Actor, q: UnitListQuery, cap: number): Promise<number> {
  const [r] = await countUnitsQuery(db, actor, q, cap);
  return r.n;
}

export async function getUnitRow(db: Tx, actor: Actor, id: string): Promise<UnitRow | undefined> {
  const [row] = await db
    .select(unitColumns)
    .from(registryUnit)
    .innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId))
    .where(and(eq(registryUnit.id, id), unitScope(actor)));
  return row as UnitRow | undefined;
}

/**
 * Units by id, within the caller's scope (ids the caller may not see are simply absent). The
 * list's hot path: one named prepared statement for every caller (the scope is a parameter, so
 * PostgreSQL plans it once per connection), built once per database handle.
 */
const byIdsStatements = new WeakMap<object, ReturnType<typeof prepareUnitRowsByIds>>();
function prepareUnitRowsByIds(db: Tx) {
  return db
    .select(unitColumns)
    .from(registryUnit)
    .innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId))
    .where(
      and(
        sql`${registryUnit.id} = any(${sql.placeholder('ids')}::uuid[])`,
        sql`left(${registryUnit.regionCode}, char_length(${sql.placeholder('prefix')}::text)) = ${sql.placeholder('prefix')}::text`,
        sql`(${sql.placeholder('entity')}::uuid is null or ${registryUnit.entityId} = ${sql.placeholder('entity')}::uuid)`,
      ),
    )
    .prepare('registry_unit_rows_by_ids');
}

export async function getUnitRowsByIds(db: Tx, actor: Actor, ids: string[]): Promise<UnitRow[]> {
  let statement = byIdsStatements.get(db);
  if (!statement) byIdsStatements.set(db, (statement = prepareUnitRowsByIds(db)));
  // The same scope as unitScope(), as parameters.
  return (await statement.execute({ ids, prefix: actor.regionPrefix, entity: ownEntity(actor) })) as UnitRow[];
}

export async function getEntityRow(db: Tx, actor: Actor, id: string) {
  const [row] = await db.select().from(registryEntity).where(and(eq(registryEntity.id, id), entityScope(actor)));
  return row;
}

export async function getEntityByCreditCode(db: Tx, creditCode: string) {
  const [row] = await db.select().from(registryEntity).where(eq(registryEntity.creditCode, creditCode));
  return row;
}

export async function nextSiteSeq(tx: Tx, entityId: string): Promise<number> {
  // The entity row lock serialises concurrent site creation for one entity.
  await tx.execute(sql`select id from registry_entity where id = ${entityId} for update`);
  const [r] = await tx.select({ m: sql<number>`coalesce(max(${registryUnit.siteSeq}), 0)::int` }).from(registryUnit).where(eq(registryUnit.entityId, entityId));
  return r.m + 1;
}

export async function listRegistrationRows(db: Tx, unitId: string) {
  return db.select().from(registryRegistration).where(eq(registryRegistration.unitId, unitId)).orderBy(desc(registryRegistration.createdAt));
}

import { createHash } from 'node:crypto';
import { uuidv7 } from '../../platform/ids.ts';
import { and, count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { sqlConstraint, sqlState } from '../../platform/errors.ts';
import { canonicalJson, recordAudit } from '../audit/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { PermitChangeInput, PermitContent, PermitIssueInput, PermitListQuery } from '../../contracts/permits.ts';
import { permit, permitVersion } from './permits.tables.ts';
import { analysePermitNumber, formatPermitNumber, type PermitNumberFinding } from './permit-number.ts';
import { checkPermitContent, diffPermitContent, type ContentProblem } from './permit-content.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import {
  PermitConcurrentUpdateError,
  PermitContentError,
  PermitExistsError,
  PermitNotApplicableError,
  PermitNotFoundError,
  PermitNumberTakenError,
  PermitVersionNotFoundError,
} from './permits.errors.ts';

export interface PermitsDeps {
  db: Db;
  clock: Clock;
  registry: RegistryService;
  /** the letter ending numbers this platform issues (P in HJ 608-2017's example) */
  permitNumberLetter: string;
}

export type PermitsService = ReturnType<typeof createPermitsService>;
type PermitRow = typeof permit.$inferSelect;

/** Where a caller may look: the jurisdiction's region prefix; an enterprise user, its own entity only. */
function permitScope(actor: Actor): SQL {
  const conds: SQL[] = [];
  if (actor.regionPrefix) conds.push(sql`left(${permit.regionCode}, ${actor.regionPrefix.length}) = ${actor.regionPrefix}`);
  if (actor.role === 'enterprise') conds.push(eq(permit.entityId, actor.entityId ?? '00000000-0000-0000-0000-000000000000'));
  return conds.length ? and(...conds)! : sql`true`;
}

const sha256 = (content: PermitContent) => createHash('sha256').update(canonicalJson(content)).digest('hex');

function contentErrors(content: PermitContent): ContentProblem[] {
  const problems = checkPermitContent(content);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new PermitContentError(errors);
  return problems;
}

const view = (p: PermitRow) => ({
  id: p.id,
  unitId: p.unitId,
  entityId: p.entityId,
  regionCode: p.regionCode,
  permitNumber: p.permitNumber,
  status: p.status as 'valid' | 'cancelled' | 'revoked' | 'penalty_revoked',
  managementCategory: p.managementCategory as PermitContent['managementCategory'],
  validFrom: p.validFrom,
  validTo: p.validTo,
  currentVersion: p.currentVersion,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export function createPermitsService(deps: PermitsDeps) {
  const { db, clock, registry } = deps;

  async function findPermit(tx: Tx, actor: Actor, id: string, lock = false): Promise<PermitRow> {
    const q = tx.select().from(permit).where(and(eq(permit.id, id), permitScope(actor)));
    const [row] = lock ? await q.for('update') : await q;
    if (!row) throw new PermitNotFoundError();
    return row;
  }

  /** The site the permit is for, as the caller may see it; a closed site gets no permit. */
  async function openUnit(actor: Actor, unitId: string) {
    const unit = await registry.getUnit(actor, unitId);
    if (unit.status !== 'active') throw new PermitNotApplicableError('closed');
    return unit;
  }

  async function insertVersion(tx: Tx, actor: Actor, p: { id: string; regionCode: string }, versionNo: number, reason: string, permitNumber: string, issuedOn: string, content: PermitContent, note: string | null | undefined) {
    const contentSha256 = sha256(content);
    await tx.insert(permitVersion).values({
      id: uuidv7(),
      permitId: p.id,
      regionCode: p.regionCode,
      versionNo,
      reason,
      permitNumber,
      issuedOn,
      validFrom: content.validFrom,
      validTo: content.validTo,
      content,
      contentSha256,
      note: note ?? null,
      createdBy: actor.username,
      createdAt: clock.now(),
    });
    return contentSha256;
  }

  async function getVersion(actor: Actor, id: string, versionNo: number) {
    await findPermit(db, actor, id);
    const [v] = await db.select().from(permitVersion).where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, versionNo)));
    if (!v) throw new PermitVersionNotFoundError(versionNo);
    return { versionNo: v.versionNo, reason: v.reason, permitNumber: v.permitNumber, issuedOn: v.issuedOn, validFrom: v.validFrom, validTo: v.validTo, contentSha256: v.contentSha256, note: v.note, createdBy: v.createdBy, createdAt: v.createdAt, content: v.content as PermitContent };
  }

  return {
    /**
     * Issue a permit for a site (version 1), or record one the national platform issued
     * (`permitNumber` given: accepted as written, doubtful parts reported, never refused).
     */
    async issuePermit(actor: Actor, input: PermitIssueInput) {
      const warnings = contentErrors(input.content);
      if (input.content.managementCategory === 'registration') throw new PermitNotApplicableError('registration');
      const unit = await openUnit(actor, input.unitId);
      let numberFindings: PermitNumberFinding[] = [];
      let permitNumber: string;
      if (input.permitNumber) {
        const a = analysePermitNumber(input.permitNumber);
        permitNumber = a.number;
        numberFindings = a.findings;
      } else permitNumber = formatPermitNumber(unit.creditCode, unit.siteSeq, deps.permitNumberLetter);
      const issuedOn = input.issuedOn ?? chinaDate(clock.now());
      const now = clock.now();
      const row: PermitRow = {
        id: uuidv7(),
        unitId: unit.id,
        entityId: unit.entityId,
        regionCode: unit.regionCode,
        permitNumber,
        status: 'valid',
        managementCategory: input.content.managementCategory,
        validFrom: input.content.validFrom,
        validTo: input.content.validTo,
        currentVersion: 1,
        createdAt: now,
        updatedAt: now,
      };
      const created = await db
        .transaction(async (tx) => {
          await tx.insert(permit).values(row);
          const contentSha256 = await insertVersion(tx, actor, row, 1, input.permitNumber ? 'import' : 'issue', permitNumber, issuedOn, input.content, input.note);
          await recordAudit(tx, clock, actor, {
            action: 'permit.issue',
            entityType: 'permit',
            entityId: row.id,
            regionCode: row.regionCode,
            after: { permitNumber, unitId: unit.id, version: 1, validFrom: row.validFrom, validTo: row.validTo, managementCategory: row.managementCategory, contentSha256 },
          });
          return row;
        })
        .catch(async (err) => {
          if (sqlState(err) !== '23505') throw err;
          if (sqlConstraint(err) === 'permit_valid_number_uq') throw new PermitNumberTakenError(permitNumber);
          const [held] = await db.select({ n: permit.permitNumber }).from(permit).where(and(eq(permit.unitId, unit.id), eq(permit.status, 'valid')));
          throw new PermitExistsError(held?.n ?? permitNumber);
        });
      return { permit: view(created), warnings, numberFindings };
    },

    /**
     * A change (变更) or a renewal (延续): a new version, made current. `expectedVersion` is
     * the version the caller saw; another official's version in between is a conflict.
     */
    async changePermit(actor: Actor, id: string, input: PermitChangeInput) {
      const warnings = contentErrors(input.content);
      if (input.content.managementCategory === 'registration') throw new PermitNotApplicableError('registration');
      // The site is read first, outside the transaction: the registry reads through its own
      // connection, and the embedded database has only one.
      const unit = await openUnit(actor, (await findPermit(db, actor, id)).unitId);
      return db.transaction(async (tx) => {
        const before = await findPermit(tx, actor, id, true);
        if (before.status !== 'valid') throw new PermitNotApplicableError('not-valid');
        if (before.currentVersion !== input.expectedVersion) throw new PermitConcurrentUpdateError(before.currentVersion);
        if (input.reason === 'renewal' && !(input.content.validFrom > before.validFrom)) throw new PermitNotApplicableError('renewal-dates');
        // The number names the holder and the site: when the holder's credit code changed, the
        // next version carries the new one, with the letter the permit had.
        const current = analysePermitNumber(before.permitNumber);
        const permitNumber =
          current.stemKind === 'credit-code' && current.stem !== unit.creditCode && current.letter
            ? formatPermitNumber(unit.creditCode, current.siteSeq ?? unit.siteSeq, current.letter)
            : before.permitNumber;
        const [previous] = await tx.select().from(permitVersion).where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, before.currentVersion)));
        const versionNo = before.currentVersion + 1;
        const issuedOn = input.issuedOn ?? chinaDate(clock.now());
        const contentSha256 = await insertVersion(tx, actor, before, versionNo, input.reason, permitNumber, issuedOn, input.content, input.note);
        const [after] = await tx
          .update(permit)
          .set({ currentVersion: versionNo, permitNumber, managementCategory: input.content.managementCategory, validFrom: input.content.validFrom, validTo: input.content.validTo, updatedAt: clock.now() })
          .where(and(eq(permit.id, id), eq(permit.currentVersion, before.currentVersion)))
          .returning();
        const changes = diffPermitContent(previous.content as PermitContent, input.content);
        await recordAudit(tx, clock, actor, {
          action: input.reason === 'renewal' ? 'permit.renew' : 'permit.change',
          entityType: 'permit',
          entityId: id,
          regionCode: before.regionCode,
          before: { version: before.currentVersion, permitNumber: before.permitNumber, validFrom: before.validFrom, validTo: before.validTo, contentSha256: previous.contentSha256 },
          after: { version: versionNo, permitNumber, validFrom: after.validFrom, validTo: after.validTo, contentSha256, changed: changes.slice(0, 200).map((c) => c.path), changes: changes.length },
        });
        return { permit: view(after), warnings, changes };
      }).catch((err) => {
        if (sqlState(err) === '23505' && sqlConstraint(err) === 'permit_valid_number_uq') throw new PermitNumberTakenError('');
        throw err;
      });
    },

    async getPermit(actor: Actor, id: string) {
      const p = await findPermit(db, actor, id);
      const [v] = await db.select().from(permitVersion).where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, p.currentVersion)));
      return { ...view(p), issuedOn: v.issuedOn, content: v.content as PermitContent, contentSha256: v.contentSha256 };
    },

    async listPermits(actor: Actor, q: PermitListQuery) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const conds: SQL[] = [permitScope(actor)];
      if (q.unitId) conds.push(eq(permit.unitId, q.unitId));
      if (q.status) conds.push(eq(permit.status, q.status));
      if (q.region) conds.push(sql`left(${permit.regionCode}, ${q.region.length}) = ${q.region}`);
      if (q.number) conds.push(ilike(permit.permitNumber, `%${q.number.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
      const where = and(...conds);
      const [rows, [{ n }]] = await Promise.all([
        db.select().from(permit).where(where).orderBy(desc(permit.createdAt), desc(permit.id)).limit(pageSize).offset((page - 1) * pageSize),
        db.select({ n: count() }).from(permit).where(where),
      ]);
      return { items: rows.map(view), total: Number(n), page, pageSize };
    },

    async listVersions(actor: Actor, id: string) {
      await findPermit(db, actor, id);
      const rows = await db
        .select({ versionNo: permitVersion.versionNo, reason: permitVersion.reason, permitNumber: permitVersion.permitNumber, issuedOn: permitVersion.issuedOn, validFrom: permitVersion.validFrom, validTo: permitVersion.validTo, contentSha256: permitVersion.contentSha256, note: permitVersion.note, createdBy: permitVersion.createdBy, createdAt: permitVersion.createdAt })
        .from(permitVersion)
        .where(eq(permitVersion.permitId, id))
        .orderBy(permitVersion.versionNo);
      return { items: rows };
    },

    getVersion,

    /** Field-by-field differences between two versions of one permit. */
    async compareVersions(actor: Actor, id: string, from: number, to: number) {
      const [a, b] = await Promise.all([getVersion(actor, id, from), getVersion(actor, id, to)]);
      return { from, to, permitNumbers: { from: a.permitNumber, to: b.permitNumber }, changes: diffPermitContent(a.content, b.content) };
    },
  };
}

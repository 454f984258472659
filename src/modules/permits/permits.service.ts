import { uuidv7 } from '../../platform/ids.ts';
import { and, count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.ts';
import type { UnitView } from '../../contracts/registry.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { sqlConstraint, sqlState, ValidationError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { escapeLike, registryEntity, registryUnit, unitScope, type RegistryService } from '../registry/index.ts';
import type { PermitChangeInput, PermitContent, PermitIssueInput, PermitListQuery } from '../../contracts/permits.ts';
import { permit, permitVersion } from './permits.tables.ts';
import { analysePermitNumber, formatPermitNumber, type PermitNumberFinding } from './permit-number.ts';
import { checkPermitContent, contentSha256 as contentSha, diffPermitContent, type ContentProblem } from './permit-content.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import type { ReferenceService } from '../reference/index.ts';
import { renderPermitPdf, type PdfFont } from './permit-document.ts';
import { importPermits } from './permit-import.ts';
import { checkAgainstStandards } from './permit-standards.ts';
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
  reference: Pick<ReferenceService, 'listPollutants' | 'lookup' | 'listRegions' | 'listIndustries' | 'listEmissionLimits'>;
  pdfFont: PdfFont;
  /** where the public pages are (QR codes on the PDF point there) */
  publicBaseUrl: string;
  /** permit versions whose JSON is kept in memory for the detail page (0 or absent: none) */
  versionCacheSize?: number;
  /** the letter ending numbers this platform issues (P in HJ 608-2017's example) */
  permitNumberLetter: string;
}

export type PermitsService = ReturnType<typeof createPermitsService>;

/**
 * Run inside a caller's transaction (a case's decision), with the site the caller already read
 * (outside it: the embedded database has one connection, and the registry reads through it).
 */
export interface Within {
  tx: Tx;
  unit: UnitView;
}
type PermitRow = typeof permit.$inferSelect;

/**
 * Where a caller may look: permits of sites the caller may see in the registry as it is now (a
 * site that moves takes its permit along; an enterprise user sees its own entity's only).
 */
function permitScope(actor: Actor): SQL {
  return sql`exists (select 1 from ${registryUnit} where ${registryUnit.id} = ${permit.unitId} and ${unitScope(actor)})`;
}

/** A version as listed (everything but its content). */
const versionMeta = {
  versionNo: permitVersion.versionNo,
  reason: permitVersion.reason,
  permitNumber: permitVersion.permitNumber,
  issuedOn: permitVersion.issuedOn,
  validFrom: permitVersion.validFrom,
  validTo: permitVersion.validTo,
  contentSha256: permitVersion.contentSha256,
  note: permitVersion.note,
  createdBy: permitVersion.createdBy,
  createdAt: permitVersion.createdAt,
};



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

  // Versions never change (a trigger refuses it), so a version's JSON, once read, stays right:
  // kept for the most recently shown ones, keyed by permit and version number.
  const cacheSize = deps.versionCacheSize ?? 0;
  const versionCache = new Map<string, { issuedOn: string; contentSha256: string; contentJson: string }>();

  /** The content's own checks and its limits against the standards they name. */
  async function checkContent(content: PermitContent): Promise<ContentProblem[]> {
    return [...checkPermitContent(content), ...checkAgainstStandards(content, await deps.reference.listEmissionLimits())];
  }
  /** The problems that are only warnings; @throws PermitContentError listing every error */
  async function contentErrors(content: PermitContent): Promise<ContentProblem[]> {
    const problems = await checkContent(content);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length) throw new PermitContentError(errors);
    return problems;
  }

  async function findPermit(tx: Tx, actor: Actor, id: string, lock = false): Promise<PermitRow> {
    const q = tx.select().from(permit).where(and(eq(permit.id, id), permitScope(actor)));
    // (FOR UPDATE locks the permit row only: the scope's registry row is read, not locked.)
    const [row] = lock ? await q.for('update') : await q;
    if (!row) throw new PermitNotFoundError();
    return row;
  }

  /** The site the permit is for, as the caller may see it; a closed site gets no permit. */
  async function openUnit(actor: Actor, unitId: string) {
    return activeUnit(await registry.getUnit(actor, unitId));
  }
  function activeUnit(unit: UnitView) {
    if (unit.status !== 'active') throw new PermitNotApplicableError('closed');
    return unit;
  }

  async function insertVersion(tx: Tx, actor: Actor, p: { id: string; regionCode: string }, versionNo: number, reason: string, permitNumber: string, issuedOn: string, content: PermitContent, note: string | null | undefined) {
    const contentSha256 = contentSha(content);
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

  /** 发证日期: today in China when not given; never in the future. */
  function issueDate(given: string | undefined): string {
    const today = chinaDate(clock.now());
    if (given && given > today) throw new ValidationError({ zh: `发证日期 ${given} 晚于今天（${today}）`, en: `The issue date ${given} is after today (${today})` });
    return given ?? today;
  }

  async function getVersion(actor: Actor, id: string, versionNo: number) {
    await findPermit(db, actor, id);
    return readVersion(id, versionNo);
  }

  /** One version of a permit the caller was already found to see. */
  async function readVersion(id: string, versionNo: number) {
    const [v] = await db
      .select({ ...versionMeta, content: permitVersion.content })
      .from(permitVersion)
      .where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, versionNo)));
    if (!v) throw new PermitVersionNotFoundError(versionNo);
    return { ...v, content: v.content as PermitContent };
  }

  /** 发证机关: the ecology and environment bureau of the site's city (of the municipality for 直辖市). */
  async function authorityOf(regionCode: string) {
    const municipality = ['11', '12', '31', '50'].includes(regionCode.slice(0, 2));
    const code = municipality ? `${regionCode.slice(0, 2)}0000` : `${regionCode.slice(0, 4)}00`;
    const lookup = await deps.reference.lookup();
    return `${lookup.regionName(code) ?? lookup.regionName(`${regionCode.slice(0, 2)}0000`) ?? ''}生态环境局`;
  }

  /** The public part of the permit a number names (the valid one, else the latest), or undefined. */
  async function publicPermit(permitNumber: string) {
    const [p] = await db
      .select({ p: permit, unit: registryUnit, creditCode: registryEntity.creditCode })
      .from(permit)
      .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
      .innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId))
      .where(eq(permit.permitNumber, permitNumber))
      .orderBy(sql`(${permit.status} = 'valid') desc`, desc(permit.updatedAt))
      .limit(1);
    if (!p) return undefined;
    const [v] = await db.select().from(permitVersion).where(and(eq(permitVersion.permitId, p.p.id), eq(permitVersion.versionNo, p.p.currentVersion)));
    return { p: p.p, unit: { ...p.unit, creditCode: p.creditCode }, version: v };
  }

  async function pdfOf(p: PermitRow, unit: { name: string; creditCode: string; address: string; industryCode: string }, v: typeof permitVersion.$inferSelect) {
    const names = new Map((await deps.reference.listPollutants()).map((x) => [x.code, x.name]));
    const lookup = await deps.reference.lookup();
    return renderPermitPdf(
      {
        permitNumber: p.permitNumber,
        status: p.status as 'valid',
        versionNo: v.versionNo,
        issuedOn: v.issuedOn,
        contentSha256: v.contentSha256,
        authority: await authorityOf(p.regionCode),
        unit: { name: unit.name, creditCode: unit.creditCode, address: unit.address, industry: `${unit.industryCode} ${lookup.industryName(unit.industryCode) ?? ''}`.trim(), regionName: lookup.regionName(p.regionCode) ?? null },
        content: v.content as PermitContent,
        pollutantName: (code) => names.get(code) ?? code,
        publicUrl: `${deps.publicBaseUrl}/public/permits/${encodeURIComponent(p.permitNumber)}`,
      },
      deps.pdfFont,
    );
  }

  const service = {
    checkContent,

    /**
     * Import the national platform's listing or permit pages (permit-import.ts): a dry run, all
     * or nothing, or the good rows only.
     */
    async importFromPlatform(actor: Actor, file: { data: Buffer; filename: string }, opts: { dryRun: boolean; goodOnly: boolean }) {
      return importPermits({ db, clock, registry, permits: service, reference: deps.reference }, actor, file, opts);
    },

    /** The 副本 as a PDF, for a caller who may see the permit. */
    async permitPdf(actor: Actor, id: string) {
      const p = await findPermit(db, actor, id);
      const [v] = await db.select().from(permitVersion).where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, p.currentVersion)));
      const unit = await registry.getUnit(actor, p.unitId);
      return { permitNumber: p.permitNumber, pdf: await pdfOf(p, unit, v) };
    },

    /** 信息公开: the permit's public part, without login. @throws PermitNotFoundError */
    async getPublicPermit(permitNumber: string) {
      const found = await publicPermit(permitNumber);
      if (!found) throw new PermitNotFoundError();
      const { p, unit, version } = found;
      return {
        permitNumber: p.permitNumber,
        status: view(p).status,
        unitName: unit.name,
        creditCode: unit.creditCode,
        address: unit.address,
        regionCode: p.regionCode,
        regionName: (await deps.reference.lookup()).regionName(p.regionCode) ?? null,
        industryCode: unit.industryCode,
        industryName: (await deps.reference.lookup()).industryName(unit.industryCode) ?? null,
        managementCategory: view(p).managementCategory,
        validFrom: p.validFrom,
        validTo: p.validTo,
        issuedOn: version.issuedOn,
        authority: await authorityOf(p.regionCode),
        versionNo: version.versionNo,
        contentSha256: version.contentSha256,
        content: version.content as PermitContent,
      };
    },

    /** The public PDF of the permit a number names. */
    async publicPermitPdf(permitNumber: string) {
      const found = await publicPermit(permitNumber);
      if (!found) throw new PermitNotFoundError();
      return pdfOf(found.p, found.unit, found.version);
    },

    /**
     * Issue a permit for a site (version 1), or record one the national platform issued
     * (`permitNumber` given: accepted as written, doubtful parts reported, never refused).
     */
    async issuePermit(actor: Actor, input: PermitIssueInput, within?: Within) {
      const warnings = await contentErrors(input.content);
      if (input.content.managementCategory === 'registration') throw new PermitNotApplicableError('registration');
      const unit = within ? activeUnit(within.unit) : await openUnit(actor, input.unitId);
      if (unit.managementCategory === 'registration') throw new PermitNotApplicableError('registration');
      let numberFindings: PermitNumberFinding[] = [];
      let permitNumber: string;
      if (input.permitNumber) {
        const a = analysePermitNumber(input.permitNumber);
        permitNumber = a.number;
        numberFindings = a.findings;
        if (a.stemKind === 'credit-code' && a.stem !== unit.creditCode) {
          numberFindings.push({ code: 'NOT_HOLDERS_CODE', severity: 'warning', zh: `编号前 18 位 ${a.stem} 不是该单位的统一社会信用代码 ${unit.creditCode}`, en: `the number's first 18 characters ${a.stem} are not the holder's credit code ${unit.creditCode}` });
        }
      } else permitNumber = formatPermitNumber(unit.creditCode, unit.siteSeq, deps.permitNumberLetter);
      const issuedOn = issueDate(input.issuedOn);
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
      const write = async (tx: Tx) => {
          // Checked here too, so a caller's transaction (a case's approval) gets the typed error.
          const [held] = await tx.select({ n: permit.permitNumber }).from(permit).where(and(eq(permit.unitId, unit.id), eq(permit.status, 'valid')));
          if (held) throw new PermitExistsError(held.n);
          await tx.insert(permit).values(row);
          const contentSha256 = await insertVersion(tx, actor, row, 1, input.permitNumber ? 'import' : 'issue', permitNumber, issuedOn, input.content, input.note);
          await recordAudit(tx, clock, actor, {
            action: input.permitNumber ? 'permit.import' : 'permit.issue',
            entityType: 'permit',
            entityId: row.id,
            regionCode: row.regionCode,
            after: { permitNumber, unitId: unit.id, version: 1, issuedOn, validFrom: row.validFrom, validTo: row.validTo, managementCategory: row.managementCategory, contentSha256, note: input.note ?? null },
          });
          return row;
        };
      if (within) return { permit: view(await write(within.tx)), warnings, numberFindings };
      const created = await db
        .transaction(write)
        .catch(async (err) => {
          if (sqlState(err) !== '23505') throw err;
          if (sqlConstraint(err) === 'permit_valid_number_uq') throw new PermitNumberTakenError(permitNumber);
          if (sqlConstraint(err) !== 'permit_valid_unit_uq') throw err;
          const [held] = await db.select({ n: permit.permitNumber }).from(permit).where(and(eq(permit.unitId, unit.id), eq(permit.status, 'valid')));
          throw new PermitExistsError(held?.n ?? '');
        });
      return { permit: view(created), warnings, numberFindings };
    },

    /**
     * A change (变更) or a renewal (延续): a new version, made current. `expectedVersion` is
     * the version the caller saw; another official's version in between is a conflict.
     */
    async changePermit(actor: Actor, id: string, input: PermitChangeInput, within?: Within) {
      const warnings = await contentErrors(input.content);
      if (input.content.managementCategory === 'registration') throw new PermitNotApplicableError('registration');
      // The site is read first, outside the transaction: the registry reads through its own
      // connection, and the embedded database has only one.
      const unit = within ? activeUnit(within.unit) : await openUnit(actor, (await findPermit(db, actor, id)).unitId);
      const write = async (tx: Tx) => {
        const before = await findPermit(tx, actor, id, true);
        if (before.status !== 'valid') throw new PermitNotApplicableError('not-valid');
        if (before.currentVersion !== input.expectedVersion) throw new PermitConcurrentUpdateError(before.currentVersion);
        // A renewal (延续) starts a new period after the current one ends; a change (变更)
        // keeps the period (moving it would be a renewal without its rules).
        if (input.reason === 'renewal' && !(input.content.validFrom > before.validTo)) throw new PermitNotApplicableError('renewal-dates');
        if ((input.reason === 'change' || input.reason === 'import') && (input.content.validFrom !== before.validFrom || input.content.validTo !== before.validTo)) throw new PermitNotApplicableError('change-dates');
        // A re-application (重新申请) is granted anew: a new period, not starting before the old one.
        if (input.reason === 'reapplication' && input.content.validFrom < before.validFrom) throw new PermitNotApplicableError('renewal-dates');
        // The number stays, unless the national platform renumbered the permit (the holder's
        // credit code changed): an import then records the new number, and the versions keep both.
        const permitNumber = input.reason === 'import' && input.permitNumber ? analysePermitNumber(input.permitNumber).number : before.permitNumber;
        const [previous] = await tx.select().from(permitVersion).where(and(eq(permitVersion.permitId, id), eq(permitVersion.versionNo, before.currentVersion)));
        const versionNo = before.currentVersion + 1;
        const issuedOn = issueDate(input.issuedOn);
        // The site's region and holder as they are now (a site may have moved since).
        const here = { id: before.id, regionCode: unit.regionCode };
        const contentSha256 = await insertVersion(tx, actor, here, versionNo, input.reason, permitNumber, issuedOn, input.content, input.note);
        const [after] = await tx
          .update(permit)
          .set({ currentVersion: versionNo, permitNumber, regionCode: unit.regionCode, entityId: unit.entityId, managementCategory: input.content.managementCategory, validFrom: input.content.validFrom, validTo: input.content.validTo, updatedAt: clock.now() })
          .where(and(eq(permit.id, id), eq(permit.currentVersion, before.currentVersion)))
          .returning();
        const changes = diffPermitContent(previous.content as PermitContent, input.content);
        await recordAudit(tx, clock, actor, {
          action: { renewal: 'permit.renew', change: 'permit.change', reapplication: 'permit.reissue', import: 'permit.import-content' }[input.reason],
          entityType: 'permit',
          entityId: id,
          regionCode: unit.regionCode,
          before: { version: before.currentVersion, permitNumber: before.permitNumber, validFrom: before.validFrom, validTo: before.validTo, contentSha256: previous.contentSha256 },
          after: { version: versionNo, permitNumber, validFrom: after.validFrom, validTo: after.validTo, contentSha256, changed: changes.slice(0, 200).map((c) => c.path), changes: changes.length },
        });
        return { permit: view(after), warnings, changes };
      };
      return within ? write(within.tx) : db.transaction(write);
    },

    /**
     * End a valid permit: 注销 (cancelled), 撤销 (revoked) or 吊销 (penalty_revoked), inside the
     * caller's transaction (the case deciding it). An ended permit can no longer be changed or renewed.
     */
    async endPermit(tx: Tx, actor: Actor, id: string, status: 'cancelled' | 'revoked' | 'penalty_revoked', reason: string) {
      const before = await findPermit(tx, actor, id, true);
      if (before.status !== 'valid') throw new PermitNotApplicableError('not-valid');
      const [after] = await tx.update(permit).set({ status, updatedAt: clock.now() }).where(and(eq(permit.id, id), eq(permit.status, 'valid'))).returning();
      await recordAudit(tx, clock, actor, { action: `permit.${status}`, entityType: 'permit', entityId: id, regionCode: before.regionCode, before: { status: 'valid' }, after: { status, reason } });
      return view(after);
    },

    /** A permit as the caller may see it, without content (for other modules' checks). */
    async findPermit(actor: Actor, id: string) {
      return view(await findPermit(db, actor, id));
    },

    async getPermit(actor: Actor, id: string) {
      const { contentJson, ...rest } = await this.getPermitJson(actor, id);
      return { ...rest, content: JSON.parse(contentJson) as PermitContent };
    },

    /**
     * The permit with its current content as the JSON text the database holds: one query, and
     * the content (written once, validated when it was) is not parsed and re-serialised to be
     * sent (the detail route splices it in; see permits.routes.ts).
     */
    async getPermitJson(actor: Actor, id: string) {
      const p = await findPermit(db, actor, id);
      const key = `${p.id}:${p.currentVersion}`;
      let v = versionCache.get(key);
      if (v) {
        // most recently used last
        versionCache.delete(key);
        versionCache.set(key, v);
      } else {
        const [row] = await db
          .select({ issuedOn: permitVersion.issuedOn, contentSha256: permitVersion.contentSha256, contentJson: sql<string>`${permitVersion.content}::text` })
          .from(permitVersion)
          .where(and(eq(permitVersion.permitId, p.id), eq(permitVersion.versionNo, p.currentVersion)));
        v = row;
        if (cacheSize > 0) {
          versionCache.set(key, v);
          if (versionCache.size > cacheSize) versionCache.delete(versionCache.keys().next().value!);
        }
      }
      return { ...view(p), issuedOn: v.issuedOn, contentSha256: v.contentSha256, contentJson: v.contentJson };
    },

    async listPermits(actor: Actor, q: PermitListQuery) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const conds: SQL[] = [permitScope(actor)];
      if (q.unitId) conds.push(eq(permit.unitId, q.unitId));
      if (q.status) conds.push(eq(permit.status, q.status));
      if (q.region) conds.push(sql`left(${permit.regionCode}, ${q.region.length}) = ${q.region}`);
      // a number the permit had in an earlier version finds it too (renumbered on the national platform)
      if (q.number) conds.push(sql`(${ilike(permit.permitNumber, `%${escapeLike(q.number)}%`)} or exists (select 1 from ${permitVersion} where ${permitVersion.permitId} = ${permit.id} and ${permitVersion.permitNumber} <> ${permit.permitNumber} and ${ilike(permitVersion.permitNumber, `%${escapeLike(q.number)}%`)}))`);
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
        .select(versionMeta)
        .from(permitVersion)
        .where(eq(permitVersion.permitId, id))
        .orderBy(permitVersion.versionNo);
      return { items: rows };
    },

    getVersion,

    /** Field-by-field differences between two versions of one permit. */
    async compareVersions(actor: Actor, id: string, from: number, to: number) {
      await findPermit(db, actor, id);
      const [a, b] = await Promise.all([readVersion(id, from), readVersion(id, to)]);
      return { from, to, permitNumbers: { from: a.permitNumber, to: b.permitNumber }, changes: diffPermitContent(a.content, b.content) };
    },
  };
  return service;
}

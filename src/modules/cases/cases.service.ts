import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Db, Tx } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { cliActor, inJurisdiction } from '../../platform/actor.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { sqlConstraint, sqlState, ValidationError } from '../../platform/errors.ts';
import { chinaDate, civilDate, dayNumber, periodEnd, type DayCount, type WorkCalendar } from '../../platform/work-calendar.ts';
import { recordAudit } from '../audit/index.ts';
import { can } from '../identity/index.ts';
import { escapeLike, regionPrefixIs, isValidCreditCode, registryUnit, unitScope, type RegistryService } from '../registry/index.ts';
import { contentSha256, permit, PERMIT_VALIDITY_YEARS, type PermitsService } from '../permits/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import type { ManagementCategory, UnitView } from '../../contracts/registry.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type {
  AttachmentKind,
  CaseAction,
  CaseActionInput,
  CaseCreateInput,
  CaseKind,
  CaseListQuery,
  CaseParty,
  CaseState,
  CaseView,
  ExpertInput,
  OnSiteReviewInput,
} from '../../contracts/cases.ts';
import { caseAttachment, caseEvaluation, caseOnSiteReview, expert, permitCase, permitCaseEvent, technicalAgency } from './cases.tables.ts';
import { allowedActions, caseDue, ENDED_STATES, familyOf, initialState, lifecycleRules, openers, partyMayTake, requiredMaterials, transitionFor } from './cases.workflow.ts';
import { MATERIAL_LABELS } from './cases.labels.ts';
import { templateContent } from './cases.templates.ts';
import type { ReviewService } from '../review/index.ts';
import {
  AgencyConflictError,
  AgencyExistsError,
  AgencyNotFoundError,
  AttachmentNotFoundError,
  AttachmentTooLargeError,
  AttachmentTypeError,
  CaseAlreadyOpenError,
  CaseConcurrentUpdateError,
  CaseDeemedAcceptedError,
  CaseIncompleteError,
  CaseNotApplicableError,
  CaseNotFoundError,
  CasePartyError,
  CaseReasonRequiredError,
  CaseTransitionError,
  ExpertChangedError,
  ExpertConflictError,
  ExpertNotFoundError,
} from './cases.errors.ts';

export interface CasesDeps {
  db: Db;
  clock: Clock;
  registry: Pick<RegistryService, 'getUnit' | 'createRegistration'>;
  permits: Pick<PermitsService, 'findPermit' | 'issuePermit' | 'changePermit' | 'endPermit' | 'checkContent'>;
  /** the quality-review catalog, run on an application before it is submitted */
  review: Pick<ReviewService, 'reviewContent'>;
  reference: Pick<ReferenceService, 'lookup'>;
  calendar: WorkCalendar;
  /** working or calendar days for the 条例's periods (uncertain in the sources: configurable) */
  counting: DayCount;
  nearDays: number;
  attachmentMaxBytes: number;
}

export type CasesService = ReturnType<typeof createCasesService>;
type CaseRow = typeof permitCase.$inferSelect;
type Exclusion = { code: string; zh: string; en: string };

/**
 * Files a case accepts: extension → the type its bytes must show (file-type). OFD (版式文档,
 * GB/T 33190) is a zip container.
 */
const ACCEPTED_FILES: Record<string, string[]> = {
  pdf: ['application/pdf'],
  ofd: ['application/zip'],
  png: ['image/png'],
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  doc: ['application/x-cfb'],
  xls: ['application/x-cfb'],
};

const CATEGORY_RANK: Record<string, number> = { registration: 0, simplified: 1, key: 2 };
const END_STATUS = { cancellation: 'cancelled', revocation: 'revoked', penaltyRevocation: 'penalty_revoked' } as const;

const nextDay = (d: string) => civilDate(dayNumber(d) + 1);

export function createCasesService(deps: CasesDeps) {
  const { db, clock, calendar, counting, nearDays } = deps;
  const rules = lifecycleRules();
  const today = () => chinaDate(clock.now());

  /** The expert records and agencies a user acts for (evaluators see their assignments). */
  async function evaluatorIdentity(actor: Actor) {
    if (actor.role === 'expert') {
      const rows = await db.select({ id: expert.id }).from(expert).where(eq(expert.userId, actor.userId));
      return { expertIds: rows.map((r) => r.id), agencyIds: [] as string[] };
    }
    if (actor.role === 'agency') {
      const rows = await db.select({ id: technicalAgency.id }).from(technicalAgency).where(sql`${actor.userId}::uuid = any(${technicalAgency.userIds})`);
      return { expertIds: [] as string[], agencyIds: rows.map((r) => r.id) };
    }
    return { expertIds: [] as string[], agencyIds: [] as string[] };
  }

  /**
   * Where a caller may look: officials their jurisdiction; a unit's users their entity's cases;
   * experts the cases they are assigned to; agencies those assigned to them or that they prepared.
   */
  async function caseScope(actor: Actor): Promise<SQL> {
    if (actor.role === 'enterprise') return actor.entityId ? eq(permitCase.entityId, actor.entityId) : sql`false`;
    if (actor.role === 'expert' || actor.role === 'agency') {
      const who = await evaluatorIdentity(actor);
      const conds: SQL[] = [];
      if (who.expertIds.length) conds.push(sql`exists (select 1 from ${caseEvaluation} e where e.case_id = ${permitCase.id} and e.expert_ids && ${sql.raw(`'{${who.expertIds.join(',')}}'::uuid[]`)})`);
      if (who.agencyIds.length) {
        conds.push(inArray(permitCase.preparedByAgencyId, who.agencyIds));
        conds.push(sql`exists (select 1 from ${caseEvaluation} e where e.case_id = ${permitCase.id} and e.agency_id in (${sql.join(who.agencyIds.map((id) => sql`${id}::uuid`), sql`, `)}))`);
      }
      return conds.length ? sql`(${sql.join(conds, sql` or `)})` : sql`false`;
    }
    return regionPrefixIs(permitCase.regionCode, actor.regionPrefix);
  }

  /** The roles in which the caller stands to this case. */
  async function partiesOf(actor: Actor, c: CaseRow): Promise<Set<CaseParty>> {
    const parties = new Set<CaseParty>();
    if (actor.role === 'enterprise' && actor.entityId === c.entityId) parties.add('applicant');
    if (can(actor.role, 'cases.decide') && inJurisdiction(actor.regionPrefix, c.regionCode)) parties.add('official');
    if (actor.role === 'expert' || actor.role === 'agency') {
      const who = await evaluatorIdentity(actor);
      // The agency the unit named as preparing its application acts for the unit on that case
      // (fills it in, uploads, submits); never as its evaluator (the assignment refuses that).
      if (c.preparedByAgencyId && who.agencyIds.includes(c.preparedByAgencyId)) parties.add('applicant');
      const open = await openEvaluation(db, c.id);
      if (open && ((open.agencyId && who.agencyIds.includes(open.agencyId)) || open.expertIds.some((e) => who.expertIds.includes(e)))) parties.add('evaluator');
    }
    return parties;
  }

  async function openEvaluation(tx: Tx, caseId: string) {
    const [e] = await tx.select().from(caseEvaluation).where(and(eq(caseEvaluation.caseId, caseId), isNull(caseEvaluation.completedAt)));
    return e;
  }

  const caseColumns = { c: permitCase, unitName: registryUnit.name, unitCategory: registryUnit.managementCategory, unitIndustry: registryUnit.industryCode, permitValidTo: permit.validTo };

  /** The review catalog over an application's content, with its site's registry facts. */
  async function reviewOf(c: CaseRow, unit: { industry: string; category: string | null }) {
    if (familyOf(c.kind as CaseKind) !== 'application' || !c.content) return [];
    return deps.review.reviewContent({ content: c.content as PermitContent, unit: { regionCode: c.regionCode, industryCode: unit.industry, managementCategory: unit.category as ManagementCategory | null } });
  }

  async function findCase(actor: Actor, id: string) {
    const [row] = await db
      .select(caseColumns)
      .from(permitCase)
      .innerJoin(registryUnit, eq(registryUnit.id, permitCase.unitId))
      .leftJoin(permit, eq(permit.id, permitCase.permitId))
      .where(and(eq(permitCase.id, id), await caseScope(actor)));
    if (!row) throw new CaseNotFoundError();
    return row;
  }

  function dueOf(c: CaseRow, permitValidTo: string | null, on = today()) {
    return caseDue(
      { kind: c.kind as CaseKind, state: c.state as CaseState, category: c.managementCategory as PermitContent['managementCategory'] | null, onSite: c.onSite, receivedOn: c.receivedOn, acceptedOn: c.acceptedOn, permitValidTo, evaluationDays: c.evaluationDays, today: on },
      calendar,
      counting,
      nearDays,
      rules,
    );
  }

  /** Doubts about a case that do not stop it: shown to officials and applicants. */
  function flagsOf(c: CaseRow, unitCategory: string | null, permitValidTo: string | null) {
    const flags: { code: string; severity: 'warning' | 'notice'; zh: string; en: string }[] = [];
    if (c.kind === 'renewal' && permitValidTo) {
      const lead = rules.days('renewal_apply_lead');
      const latest = civilDate(dayNumber(permitValidTo) - lead);
      const applied = c.receivedOn ?? today();
      if (applied > latest) flags.push({ code: 'RENEWAL_LATE', severity: 'warning', zh: `延续申请应在有效期届满 ${lead} 日前（${latest} 前）提出（条例第十四条）`, en: `A renewal should be applied for ${lead} days before expiry, by ${latest} (条例 Art.14)` });
    }
    const content = c.content as PermitContent | null;
    if (content && unitCategory && CATEGORY_RANK[content.managementCategory] < CATEGORY_RANK[unitCategory]) {
      flags.push({ code: 'CATEGORY_DOWNGRADE', severity: 'warning', zh: `申请的管理类别低于名录判定的类别（${unitCategory}）`, en: `The category applied for is lower than the unit's category under the directory (${unitCategory})` });
    }
    return flags;
  }

  function view(r: { c: CaseRow; unitName: string; unitCategory: string | null; unitIndustry?: string; permitValidTo: string | null }): CaseView {
    const c = r.c;
    return {
      id: c.id,
      caseNumber: c.caseNumber,
      kind: c.kind as CaseKind,
      state: c.state as CaseState,
      unitId: c.unitId,
      unitName: r.unitName,
      entityId: c.entityId,
      regionCode: c.regionCode,
      permitId: c.permitId,
      managementCategory: c.managementCategory as CaseView['managementCategory'],
      receivedOn: c.receivedOn,
      acceptedOn: c.acceptedOn,
      decidedOn: c.decidedOn,
      onSite: c.onSite,
      preparedByAgencyId: c.preparedByAgencyId,
      templateId: c.templateId,
      grounds: c.grounds,
      decisionReason: c.decisionReason,
      resultPermitId: c.resultPermitId,
      version: c.version,
      createdBy: c.createdBy,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      due: dueOf(c, r.permitValidTo),
      flags: flagsOf(c, r.unitCategory, r.permitValidTo),
    };
  }

  /** Stored due dates: the one running now and, while awaiting acceptance, the one if deemed accepted. */
  function storedDue(c: CaseRow, permitValidTo: string | null) {
    const now = dueOf(c, permitValidTo);
    if (c.state !== 'submitted' || !c.receivedOn) return { dueDate: now.date, deemedDueDate: null };
    const notice = calendar.deadline(c.receivedOn, rules.days(rules.cases.time_limits.acceptance_notice), counting).date;
    const deemed = dueOf(c, permitValidTo, nextDay(notice));
    return { dueDate: now.date === deemed.date ? notice : now.date, deemedDueDate: deemed.date };
  }

  async function completeness(c: CaseRow) {
    const missing: Exclusion[] = [];
    if (familyOf(c.kind as CaseKind) !== 'application') return { complete: true, missing };
    if (!c.content) missing.push({ code: 'content', zh: '许可事项内容', en: 'permit content' });
    else for (const p of (await deps.permits.checkContent(c.content as PermitContent)).filter((p) => p.severity === 'error')) missing.push({ code: `content:${p.code}`, zh: `${p.path}：${p.zh}`, en: `${p.path}: ${p.en}` });
    const kinds = new Set((await db.select({ kind: caseAttachment.kind }).from(caseAttachment).where(eq(caseAttachment.caseId, c.id))).map((a) => a.kind));
    for (const k of requiredMaterials(c.kind as CaseKind, rules)) {
      if (!kinds.has(k)) missing.push({ code: `material:${k}`, ...MATERIAL_LABELS[k as AttachmentKind] });
    }
    return { complete: missing.length === 0, missing };
  }

  async function appendEvent(tx: Tx, actor: Actor, c: CaseRow, seq: number, e: { action: string; from: string | null; to: string; party: string; reason?: string | null; data?: unknown }) {
    await tx.insert(permitCaseEvent).values({
      id: uuidv7(),
      caseId: c.id,
      regionCode: c.regionCode,
      seq,
      action: e.action,
      fromState: e.from,
      toState: e.to,
      actorId: actor.userId,
      actorName: actor.displayName,
      party: e.party,
      reason: e.reason ?? null,
      data: e.data ?? null,
      occurredAt: clock.now(),
    });
  }

  /** Lock the case and check nobody moved it since the caller looked. */
  async function lockCase(tx: Tx, id: string, expectedVersion: number, state: string) {
    const [row] = await tx.select().from(permitCase).where(eq(permitCase.id, id)).for('update');
    if (!row || row.version !== expectedVersion || row.state !== state) throw new CaseConcurrentUpdateError(row?.version ?? 0);
    return row;
  }

  async function eventCount(tx: Tx, caseId: string) {
    const [{ n }] = await tx.select({ n: count() }).from(permitCaseEvent).where(eq(permitCaseEvent.caseId, caseId));
    return Number(n);
  }

  // -- experts -----------------------------------------------------------------------------------

  function exclusionsFor(e: typeof expert.$inferSelect, c: CaseRow, on: string): Exclusion[] {
    const out: Exclusion[] = [];
    if (e.activeFrom > on || (e.activeTo !== null && e.activeTo < on)) out.push({ code: 'inactive', zh: '不在专家库有效期内', en: 'not a current member of the pool' });
    if (!c.regionCode.startsWith(e.poolRegion)) out.push({ code: 'outside-pool', zh: '不属于本地专家库', en: 'from a pool outside the case\'s region' });
    if (c.preparedByAgencyId && e.employerAgencyId === c.preparedByAgencyId) out.push({ code: 'same-agency', zh: '来自编制申请材料的技术机构', en: 'works for the agency that prepared the application' });
    if (e.relatedEntityIds.includes(c.entityId)) out.push({ code: 'related-to-unit', zh: '与申请单位存在关联', en: 'related to the applicant' });
    return out;
  }

  const expertView = (e: typeof expert.$inferSelect) => ({
    id: e.id,
    poolRegion: e.poolRegion,
    name: e.name,
    specialties: e.specialties,
    title: e.title,
    employer: e.employer,
    employerAgencyId: e.employerAgencyId,
    relatedEntityIds: e.relatedEntityIds,
    userId: e.userId,
    activeFrom: e.activeFrom,
    activeTo: e.activeTo,
    version: e.version,
  });

  /** Pools a caller sees: their own and those above (a city official sees the provincial pool). */
  const poolScope = (actor: Actor) => (actor.regionPrefix ? sql`(${expert.poolRegion} like ${escapeLike(actor.regionPrefix) + '%'} or ${actor.regionPrefix} like ${expert.poolRegion} || '%')` : sql`true`);

  // -- the steps ---------------------------------------------------------------------------------

  async function act(actor: Actor, id: string, input: CaseActionInput) {
    const found = await findCase(actor, id);
    const c = found.c;
    const kind = c.kind as CaseKind;
    const state = c.state as CaseState;
    const parties = await partiesOf(actor, c);
    const t = transitionFor(kind, state, input.action);
    if (!t) throw new CaseTransitionError(kind, state, input.action, allowedActions(kind, state, parties));
    if (!partyMayTake(t, parties)) throw new CasePartyError(input.action, t.party);
    if (t.reasonRequired && !input.reason) throw new CaseReasonRequiredError(input.action);
    const party = parties.has('official') && t.party !== 'applicant' ? 'official' : parties.has('evaluator') && t.party !== 'applicant' ? 'evaluator' : 'applicant';
    const on = today();
    const set: Partial<CaseRow> = {};
    let data: Record<string, unknown> | null = null;
    const bar = await barred(c, input.action, on);
    if (bar) throw bar;

    // Reads that go through other services happen before the transaction (one connection on PGlite).
    let unit: UnitView | undefined;
    let permitNow: Awaited<ReturnType<PermitsService['findPermit']>> | undefined;
    if (c.permitId && ['approve', 'decide', 'submit'].includes(input.action)) permitNow = await deps.permits.findPermit(actor, c.permitId);
    if (input.action === 'approve' || input.action === 'record') unit = await deps.registry.getUnit(actor, c.unitId);
    if (input.action === 'approve') {
      // An application made on an older version of the permit is not approved over a newer one.
      if (permitNow && c.basePermitVersion !== null && permitNow.currentVersion !== c.basePermitVersion) throw new CaseNotApplicableError('permit-changed', { base: c.basePermitVersion, current: permitNow.currentVersion });
      // The content's checks (also the standards) run here, before the transaction, and fail early.
      const errors = (await deps.permits.checkContent(c.content as PermitContent)).filter((p) => p.severity === 'error');
      if (errors.length) throw new ValidationError({ zh: `申请内容有 ${errors.length} 处错误，不能准予许可：${errors.map((p) => p.zh).join('；')}`, en: `The application has ${errors.length} error(s) and cannot be approved: ${errors.map((p) => p.en).join('; ')}` }, { problems: errors });
    }

    switch (input.action) {
      case 'submit': {
        if (familyOf(kind) === 'application') {
          if (!c.content) throw new CaseNotApplicableError('content');
          // quality controlled at the source: the review catalog's errors stop the submission, each explained
          const errors = (await reviewOf(c, { industry: found.unitIndustry, category: found.unitCategory })).filter((h) => h.severity === 'error');
          if (errors.length) throw new ValidationError({ zh: `申请内容有 ${errors.length} 处错误，请修改后再提交：${errors.map((h) => `[${h.ruleId}] ${h.zh}`).join('；')}`, en: `The application has ${errors.length} error(s); fix them before submitting: ${errors.map((h) => `[${h.ruleId}] ${h.en}`).join('; ')}` }, { problems: errors });
          if (permitNow) checkPermitStillOpen(kind, permitNow, on);
        }
        Object.assign(set, { receivedOn: on, supplementItems: [] });
        break;
      }
      case 'request_supplement': {
        if (!input.items?.length) throw new ValidationError({ zh: '请逐项列出需补正的材料（一次性告知）', en: 'List every item to supplement (one notice for all)' });
        Object.assign(set, { supplementItems: input.items });
        data = { items: input.items };
        break;
      }
      case 'accept': {
        const check = await completeness(c);
        if (!check.complete) throw new CaseIncompleteError(check.missing);
        set.acceptedOn = on;
        // the catalog again at acceptance (reference data may have changed since submission): its
        // hits are recorded with the step for the decision; acceptance itself is not refused for
        // them, since past the notice period the law deems the application accepted
        if (familyOf(kind) === 'application') {
          const hits = await reviewOf(c, { industry: found.unitIndustry, category: found.unitCategory });
          data = { ...(data ?? {}), review: { errors: hits.filter((h) => h.severity === 'error').length, warnings: hits.filter((h) => h.severity === 'warning').length, rules: [...new Set(hits.map((h) => h.ruleId))] } };
        }
        break;
      }
      case 'assign_evaluation': {
        if (!!input.agencyId === !!input.expertIds?.length) throw new CaseNotApplicableError('evaluation');
        if (input.agencyId) {
          const [a] = await db.select().from(technicalAgency).where(eq(technicalAgency.id, input.agencyId));
          if (!a) throw new AgencyNotFoundError();
          if (a.id === c.preparedByAgencyId) throw new AgencyConflictError();
          data = { agencyId: a.id, agencyName: a.name };
        } else {
          const ids = [...new Set(input.expertIds!)];
          const rows = await db.select().from(expert).where(inArray(expert.id, ids));
          if (rows.length !== ids.length) throw new ExpertNotFoundError();
          const problems = rows.map((e) => ({ expertId: e.id, name: e.name, exclusions: exclusionsFor(e, c, on) })).filter((p) => p.exclusions.length);
          if (problems.length) throw new ExpertConflictError(problems);
          data = { experts: rows.map((e) => ({ id: e.id, name: e.name })) };
        }
        break;
      }
      case 'complete_evaluation': {
        if (!input.conclusion) throw new ValidationError({ zh: '请给出评估结论', en: 'Give the evaluation\'s conclusion' });
        // the days it took are not counted in the decision period (行政许可法 Art.45)
        const open = await openEvaluation(db, c.id);
        const from = open ? chinaDate(open.assignedAt) : on;
        const days = Math.max(0, counting === 'working' ? calendar.workingDaysBetween(from, on) : dayNumber(on) - dayNumber(from));
        set.evaluationDays = c.evaluationDays + days;
        data = { conclusion: input.conclusion, evaluationDays: days };
        break;
      }
      case 'approve':
      case 'refuse':
      case 'not_accept':
      case 'return':
      case 'decide':
      case 'drop':
      case 'record': {
        Object.assign(set, { decidedOn: ENDED_STATES.includes(t.to) ? on : null, decisionReason: input.reason ?? null });
        break;
      }
      default:
        break;
    }
    if (input.action === 'return') set.decidedOn = null;

    const result = await db.transaction(async (tx) => {
      const locked = await lockCase(tx, id, input.expectedVersion, state);
      switch (input.action) {
        case 'assign_evaluation':
          await tx.insert(caseEvaluation).values({ id: uuidv7(), caseId: id, regionCode: c.regionCode, agencyId: input.agencyId ?? null, expertIds: input.agencyId ? [] : [...new Set(input.expertIds!)], assignedBy: actor.displayName, assignedAt: clock.now() });
          break;
        case 'complete_evaluation': {
          const open = await openEvaluation(tx, id);
          await tx.update(caseEvaluation).set({ conclusion: input.conclusion!, findings: input.reason!, completedBy: actor.displayName, completedAt: clock.now() }).where(eq(caseEvaluation.id, open!.id));
          break;
        }
        case 'approve': {
          const out = await approveApplication(tx, actor, locked, unit!, permitNow, on);
          set.resultPermitId = out.permitId;
          data = out.data;
          break;
        }
        case 'record': {
          const reg = await deps.registry.createRegistration(actor, { unitId: c.unitId, registeredOn: on }, tx);
          set.resultRegistrationId = reg.id;
          data = { registrationNumber: reg.registrationNumber };
          break;
        }
        case 'decide': {
          const ended = await deps.permits.endPermit(tx, actor, c.permitId!, END_STATUS[kind as keyof typeof END_STATUS], input.reason!);
          set.resultPermitId = ended.id;
          break;
        }
      }
      const next: CaseRow = { ...locked, ...set, state: t.to, version: locked.version + 1, updatedAt: clock.now() };
      Object.assign(next, storedDue(next, found.permitValidTo));
      const [after] = await tx
        .update(permitCase)
        .set({ ...set, state: t.to, version: next.version, updatedAt: next.updatedAt, dueDate: next.dueDate, deemedDueDate: next.deemedDueDate })
        .where(and(eq(permitCase.id, id), eq(permitCase.version, locked.version)))
        .returning();
      await appendEvent(tx, actor, locked, (await eventCount(tx, id)) + 1, { action: input.action, from: state, to: t.to, party, reason: input.reason ?? (input.items ? input.items.join('；') : null), data });
      await recordAudit(tx, clock, actor, {
        action: `case.${input.action}`,
        entityType: 'permit_case',
        entityId: id,
        regionCode: c.regionCode,
        before: { state, version: locked.version },
        after: { state: t.to, version: after.version, reason: input.reason ?? null, ...(data ?? {}) },
      });
      return after;
    });
    return view({ ...found, c: result });
  }

  function fromTemplate(templateId: string, unit: UnitView) {
    if (unit.longitude === null || unit.latitude === null) throw new CaseNotApplicableError('coordinates');
    const content = templateContent(templateId, unit, clock.now());
    if (!content) throw new CaseNotApplicableError('template');
    return content;
  }

  /**
   * The permit can still be changed or renewed: not ended, and not expired on `on` (for the
   * approval of a renewal, the day it was applied for: a renewal applied for in time is decided
   * even after the permit's last day, 行政许可法 Art.50).
   */
  function checkPermitStillOpen(kind: CaseKind, p: { status: string; validTo: string }, on: string) {
    if (p.status !== 'valid') throw new CaseNotApplicableError('permit-ended');
    if ((kind === 'change' || kind === 'renewal') && p.validTo < on) throw new CaseNotApplicableError('permit-expired');
  }

  /**
   * Steps the machine has but the calendar or the record bars now: the notice of missing
   * materials (once, within its period) and refusing to accept after that period (the application
   * counts as accepted), deciding a penalty revocation before the party's time to ask for a hearing
   * has run. Undefined when the step may be taken.
   */
  async function barred(c: CaseRow, action: CaseAction, on: string, tx: Tx = db) {
    if ((action === 'request_supplement' || action === 'not_accept') && c.state === 'submitted' && c.receivedOn) {
      const notice = calendar.deadline(c.receivedOn, rules.days(rules.cases.time_limits.acceptance_notice), counting).date;
      if (on > notice) return new CaseDeemedAcceptedError(notice);
    }
    if (action === 'request_supplement') {
      const [{ n }] = await tx.select({ n: count() }).from(permitCaseEvent).where(and(eq(permitCaseEvent.caseId, c.id), eq(permitCaseEvent.action, 'request_supplement')));
      if (Number(n) > 0) return new CaseNotApplicableError('supplement-once');
    }
    if (action === 'decide' && c.kind === 'penaltyRevocation') {
      const [notified] = await tx.select({ at: permitCaseEvent.occurredAt }).from(permitCaseEvent).where(and(eq(permitCaseEvent.caseId, c.id), eq(permitCaseEvent.action, 'notify_hearing'))).orderBy(desc(permitCaseEvent.seq)).limit(1);
      if (notified) {
        const until = calendar.deadline(chinaDate(notified.at), rules.days('hearing_request_period'), 'calendar').date;
        if (on <= until) return new CaseNotApplicableError('hearing-period', { until });
      }
    }
    return undefined;
  }

  /** The steps offered to the caller now: the machine's, less those the calendar or the record bar. */
  async function offered(c: CaseRow, parties: ReadonlySet<CaseParty>) {
    const on = today();
    const out: CaseAction[] = [];
    for (const a of allowedActions(c.kind as CaseKind, c.state as CaseState, parties)) if (!(await barred(c, a, on))) out.push(a);
    return out;
  }

  /** 准予许可: the permit issued (first), or its new version (change, renewal, re-application). */
  async function approveApplication(tx: Tx, actor: Actor, c: CaseRow, unit: UnitView, p: Awaited<ReturnType<PermitsService['findPermit']>> | undefined, on: string) {
    const kind = c.kind as CaseKind;
    const applied = c.content as PermitContent;
    const note = `办件 ${c.caseNumber}`;
    if (kind === 'first') {
      const validTo = periodEnd(on, PERMIT_VALIDITY_YEARS);
      const out = await deps.permits.issuePermit(actor, { unitId: c.unitId, content: { ...applied, validFrom: on, validTo }, issuedOn: on, note }, { tx, unit });
      return { permitId: out.permit.id, data: { permitNumber: out.permit.permitNumber, version: 1, validFrom: on, validTo } };
    }
    if (!p) throw new CaseNotApplicableError('permit-required');
    checkPermitStillOpen(kind, p, kind === 'renewal' ? (c.receivedOn ?? on) : on);
    // The period: a change keeps it; a renewal starts the day after the old one ends; a re-application is granted anew from today.
    const validFrom = kind === 'change' ? p.validFrom : kind === 'renewal' ? nextDay(p.validTo) : on;
    const validTo = kind === 'change' ? p.validTo : periodEnd(validFrom, PERMIT_VALIDITY_YEARS);
    const reason = kind as 'change' | 'renewal' | 'reapplication';
    const out = await deps.permits.changePermit(actor, p.id, { expectedVersion: p.currentVersion, reason, content: { ...applied, validFrom, validTo }, issuedOn: on, note }, { tx, unit });
    return { permitId: out.permit.id, data: { permitNumber: out.permit.permitNumber, version: out.permit.currentVersion, validFrom, validTo, changes: out.changes.length } };
  }

  /** 新建办件: an application or registration (as a draft), or an authority's case. */
  async function openCase(actor: Actor, input: CaseCreateInput) {
    // who may open is settled before the site is looked up: no answer says whether a site exists
    const asParty: CaseParty | null = actor.role === 'enterprise' ? 'applicant' : can(actor.role, 'cases.decide') ? 'official' : null;
    if (!asParty || !openers(input.kind).includes(asParty)) throw new CasePartyError('submit', openers(input.kind)[0]);
    const unit = await deps.registry.getUnit(actor, input.unitId);
    const family = familyOf(input.kind);
    const on = today();
    let p: Awaited<ReturnType<PermitsService['findPermit']>> | undefined;
    if (input.kind === 'first' || input.kind === 'registration') {
      if (input.permitId) throw new ValidationError({ zh: '首次申请和排污登记不指向已有许可证', en: 'A first application or registration names no existing permit' });
    } else {
      if (!input.permitId) throw new CaseNotApplicableError('permit-required');
      p = await deps.permits.findPermit(actor, input.permitId);
      if (p.unitId !== unit.id) throw new CaseNotApplicableError('permit-mismatch');
      if (p.status !== 'valid') throw new CaseNotApplicableError('permit-ended');
      if (input.kind === 'change' || input.kind === 'renewal') checkPermitStillOpen(input.kind, p, on);
    }
    if (family === 'application' || family === 'registration') {
      if (unit.status !== 'active') throw new CaseNotApplicableError('closed');
      if (family === 'application' && unit.managementCategory === 'registration') throw new CaseNotApplicableError('category');
      if (family === 'registration' && unit.managementCategory !== 'registration') throw new CaseNotApplicableError('registration-category');
    }
    if (input.kind === 'first') {
      const [held] = await db.select({ n: permit.permitNumber }).from(permit).where(and(eq(permit.unitId, unit.id), eq(permit.status, 'valid')));
      if (held) throw new CaseNotApplicableError('has-permit');
    }
    if (family === 'authority' && !input.grounds) throw new CaseNotApplicableError('grounds');
    if (family !== 'application' && input.content) throw new ValidationError({ zh: '只有许可申请填写许可事项', en: 'Only permit applications carry permit content' });
    if (input.preparedByAgencyId) {
      const [a] = await db.select({ id: technicalAgency.id }).from(technicalAgency).where(eq(technicalAgency.id, input.preparedByAgencyId));
      if (!a) throw new AgencyNotFoundError();
    }
    const now = clock.now();
    let content = input.content ?? null;
    if (input.templateId && !content && family === 'application') content = fromTemplate(input.templateId, unit);
    const id = uuidv7();
    const state = initialState(input.kind);
    const category = content?.managementCategory ?? p?.managementCategory ?? unit.managementCategory;
    return db
      .transaction(async (tx) => {
        const seq = (await tx.execute(sql`select nextval('permit_case_number_seq') as n`)) as unknown as { rows: { n: string }[] };
        const caseNumber = `${unit.regionCode}-${on.slice(0, 4)}-${String(seq.rows[0].n).padStart(7, '0')}`;
        const row: CaseRow = {
          id,
          caseNumber,
          kind: input.kind,
          state,
          unitId: unit.id,
          entityId: unit.entityId,
          regionCode: unit.regionCode,
          permitId: p?.id ?? null,
          basePermitVersion: p?.currentVersion ?? null,
          evaluationDays: 0,
          managementCategory: category,
          content,
          templateId: input.templateId ?? null,
          preparedByAgencyId: input.preparedByAgencyId ?? null,
          grounds: input.grounds ?? null,
          supplementItems: [],
          receivedOn: family === 'authority' ? on : null,
          acceptedOn: null,
          decidedOn: null,
          onSite: false,
          dueDate: null,
          deemedDueDate: null,
          decisionReason: null,
          resultPermitId: null,
          resultRegistrationId: null,
          version: 1,
          createdBy: actor.username,
          createdAt: now,
          updatedAt: now,
        };
        await tx.insert(permitCase).values(row);
        await appendEvent(tx, actor, row, 1, { action: 'open', from: null, to: state, party: asParty, reason: input.grounds ?? null, data: p ? { permitNumber: p.permitNumber } : null });
        await recordAudit(tx, clock, actor, { action: 'case.open', entityType: 'permit_case', entityId: id, regionCode: row.regionCode, after: { caseNumber, kind: input.kind, state, unitId: unit.id, permitId: row.permitId, grounds: row.grounds } });
        return row;
      })
      .then((row) => view({ c: row, unitName: unit.name, unitCategory: unit.managementCategory, permitValidTo: p?.validTo ?? null }))
      .catch((err) => {
        if (sqlState(err) === '23505' && sqlConstraint(err) === 'permit_case_open_uq') throw new CaseAlreadyOpenError(input.kind);
        throw err;
      });
  }

  /**
   * 关闭单位 → 注销 (行政许可法 Art.70): a closed site that still holds a valid permit gets a
   * cancellation case, opened by the platform, unless one is already open. Null when nothing to open.
   */
  async function openCancellationForClosedUnit(unitId: string, closedBy: string) {
    const [row] = await db
      .select({ permitId: permit.id, reason: registryUnit.closeReason, status: registryUnit.status })
      .from(permit)
      .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
      .where(and(eq(permit.unitId, unitId), eq(permit.status, 'valid')));
    if (!row || row.status !== 'closed') return null;
    const [open] = await db
      .select({ id: permitCase.id })
      .from(permitCase)
      .where(and(eq(permitCase.unitId, unitId), eq(permitCase.kind, 'cancellation'), notInArray(permitCase.state, [...ENDED_STATES])));
    if (open) return null;
    const grounds = `生产经营场所已关闭（${closedBy}${row.reason ? `：${row.reason}` : ''}），排污许可证应依《行政许可法》第七十条办理注销`;
    return openCase(cliActor('auto-cancellation'), { kind: 'cancellation', unitId, permitId: row.permitId, grounds }).catch((err) => {
      if (err instanceof CaseAlreadyOpenError) return null; // opened meanwhile by someone else
      throw err;
    });
  }

  return {
    openCase,
    openCancellationForClosedUnit,

    /** Every closed site in the caller's jurisdiction still holding a valid permit gets its cancellation case. */
    async openCancellationsForClosedUnits(actor: Actor) {
      const rows = await db
        .select({ unitId: registryUnit.id })
        .from(registryUnit)
        .innerJoin(permit, and(eq(permit.unitId, registryUnit.id), eq(permit.status, 'valid')))
        .where(and(eq(registryUnit.status, 'closed'), unitScope(actor)));
      const opened: string[] = [];
      for (const r of rows) {
        const c = await openCancellationForClosedUnit(r.unitId, actor.displayName);
        if (c) opened.push(c.id);
      }
      return { closedWithPermit: rows.length, opened };
    },

    /** The applicant edits the content while the case is theirs to edit (draft, supplement). */
    async saveContent(actor: Actor, id: string, expectedVersion: number, content: PermitContent) {
      const found = await findCase(actor, id);
      const c = found.c;
      const parties = await partiesOf(actor, c);
      if (!parties.has('applicant')) throw new CasePartyError('submit', 'applicant');
      if (familyOf(c.kind as CaseKind) !== 'application') throw new CaseNotApplicableError('not-application');
      if (!['draft', 'supplement_requested'].includes(c.state)) throw new CaseTransitionError(c.kind as CaseKind, c.state as CaseState, 'submit', []);
      const sha = contentSha256(content);
      const after = await db.transaction(async (tx) => {
        const locked = await lockCase(tx, id, expectedVersion, c.state);
        const [row] = await tx.update(permitCase).set({ content, managementCategory: content.managementCategory, version: locked.version + 1, updatedAt: clock.now() }).where(eq(permitCase.id, id)).returning();
        await recordAudit(tx, clock, actor, { action: 'case.content', entityType: 'permit_case', entityId: id, regionCode: c.regionCode, before: { version: locked.version }, after: { version: row.version, contentSha256: sha } });
        return row;
      });
      return { case: view({ ...found, c: after }), problems: await deps.permits.checkContent(content) };
    },

    act,

    /** A template's content for one of the caller's sites (the console fills the form with it). */
    async templateFor(actor: Actor, templateId: string, unitId: string) {
      return fromTemplate(templateId, await deps.registry.getUnit(actor, unitId));
    },

    /** 现场审核: recorded during an application; for key management it lengthens the period (条例 Art.12). */
    async recordOnSiteReview(actor: Actor, id: string, expectedVersion: number, input: OnSiteReviewInput) {
      const found = await findCase(actor, id);
      const c = found.c;
      if (!(await partiesOf(actor, c)).has('official')) throw new CasePartyError('accept', 'official');
      if (familyOf(c.kind as CaseKind) !== 'application') throw new CaseNotApplicableError('not-application');
      if (!['accepted', 'under_evaluation', 'evaluated'].includes(c.state)) throw new CaseTransitionError(c.kind as CaseKind, c.state as CaseState, 'accept', []);
      if (input.reviewDate > today() || (c.receivedOn && input.reviewDate < c.receivedOn)) throw new CaseNotApplicableError('review-date');
      const reviewId = uuidv7();
      const after = await db.transaction(async (tx) => {
        const locked = await lockCase(tx, id, expectedVersion, c.state);
        await tx.insert(caseOnSiteReview).values({ id: reviewId, caseId: id, regionCode: c.regionCode, ...input, recordedBy: actor.displayName, recordedAt: clock.now() });
        const next = { ...locked, onSite: true };
        const due = storedDue(next, found.permitValidTo);
        const [row] = await tx.update(permitCase).set({ onSite: true, version: locked.version + 1, updatedAt: clock.now(), ...due }).where(eq(permitCase.id, id)).returning();
        await appendEvent(tx, actor, locked, (await eventCount(tx, id)) + 1, { action: 'on_site_review', from: c.state, to: c.state, party: 'official', reason: input.findings, data: { reviewId, reviewDate: input.reviewDate, people: input.people, outcome: input.outcome } });
        await recordAudit(tx, clock, actor, { action: 'case.on_site_review', entityType: 'permit_case', entityId: id, regionCode: c.regionCode, after: { reviewId, reviewDate: input.reviewDate, outcome: input.outcome, version: row.version } });
        return row;
      });
      return { reviewId, case: view({ ...found, c: after }) };
    },

    async getCase(actor: Actor, id: string) {
      const found = await findCase(actor, id);
      const c = found.c;
      const [events, evaluations, reviews, attachments, parties, check, review] = await Promise.all([
        db.select().from(permitCaseEvent).where(eq(permitCaseEvent.caseId, id)).orderBy(asc(permitCaseEvent.seq)),
        db.select().from(caseEvaluation).where(eq(caseEvaluation.caseId, id)).orderBy(asc(caseEvaluation.assignedAt)),
        db.select().from(caseOnSiteReview).where(eq(caseOnSiteReview.caseId, id)).orderBy(asc(caseOnSiteReview.reviewDate)),
        db.select({ id: caseAttachment.id, kind: caseAttachment.kind, fileName: caseAttachment.fileName, mediaType: caseAttachment.mediaType, size: caseAttachment.size, sha256: caseAttachment.sha256, onSiteReviewId: caseAttachment.onSiteReviewId, uploadedBy: caseAttachment.uploadedBy, uploadedAt: caseAttachment.uploadedAt }).from(caseAttachment).where(eq(caseAttachment.caseId, id)).orderBy(asc(caseAttachment.uploadedAt)),
        partiesOf(actor, c),
        completeness(c),
        reviewOf(c, { industry: found.unitIndustry, category: found.unitCategory }),
      ]);
      const expertIds = [...new Set(evaluations.flatMap((e) => e.expertIds))];
      const agencyIds = [...new Set(evaluations.map((e) => e.agencyId).filter((x): x is string => !!x))];
      const [experts, agencies] = await Promise.all([
        expertIds.length ? db.select({ id: expert.id, name: expert.name }).from(expert).where(inArray(expert.id, expertIds)) : [],
        agencyIds.length ? db.select({ id: technicalAgency.id, name: technicalAgency.name }).from(technicalAgency).where(inArray(technicalAgency.id, agencyIds)) : [],
      ]);
      const expertName = new Map(experts.map((e) => [e.id, e.name]));
      const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
      return {
        ...view(found),
        content: (c.content as PermitContent | null) ?? null,
        supplementItems: c.supplementItems,
        events: events.map((e) => ({ seq: e.seq, action: e.action, fromState: e.fromState, toState: e.toState, actorName: e.actorName, party: e.party, reason: e.reason, data: e.data, occurredAt: e.occurredAt })),
        evaluations: evaluations.map((e) => ({ id: e.id, agencyId: e.agencyId, agencyName: e.agencyId ? (agencyName.get(e.agencyId) ?? null) : null, experts: e.expertIds.map((x) => ({ id: x, name: expertName.get(x) ?? '' })), assignedBy: e.assignedBy, assignedAt: e.assignedAt, conclusion: e.conclusion, findings: e.findings, completedBy: e.completedBy, completedAt: e.completedAt })),
        onSiteReviews: reviews.map((r) => ({ id: r.id, reviewDate: r.reviewDate, people: r.people, findings: r.findings, outcome: r.outcome as 'no_problem' | 'problems_found', recordedBy: r.recordedBy, recordedAt: r.recordedAt })),
        attachments: attachments.map((a) => ({ ...a, kind: a.kind as AttachmentKind })),
        completeness: check,
        review,
        allowedActions: await offered(c, parties),
      };
    },

    /** The queue: open cases first by due date, then the rest newest first. */
    async listCases(actor: Actor, q: CaseListQuery) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const on = today();
      const conds: SQL[] = [await caseScope(actor)];
      if (q.kind) conds.push(eq(permitCase.kind, q.kind));
      if (q.state) conds.push(eq(permitCase.state, q.state));
      if (q.unitId) conds.push(eq(permitCase.unitId, q.unitId));
      if (q.permitId) conds.push(eq(permitCase.permitId, q.permitId));
      if (q.region) conds.push(sql`${permitCase.regionCode} like ${q.region + '%'}`);
      if (q.q) conds.push(sql`(${registryUnit.name} ilike ${'%' + escapeLike(q.q) + '%'} or ${permitCase.caseNumber} ilike ${'%' + escapeLike(q.q) + '%'})`);
      const ended = sql.raw(`(${ENDED_STATES.map((s) => `'${s}'`).join(',')})`);
      if (q.open === true) conds.push(sql`${permitCase.state} not in ${ended}`);
      if (q.open === false) conds.push(sql`${permitCase.state} in ${ended}`);
      // The due date in force today: past the acceptance-notice period, the deemed one.
      const effectiveDue = sql`(case when ${permitCase.state} = 'submitted' and ${permitCase.dueDate} < ${on}::date then ${permitCase.deemedDueDate} else ${permitCase.dueDate} end)`;
      const nearLimit = calendar.deadline(on, nearDays, 'working').date;
      if (q.due === 'overdue') conds.push(sql`${effectiveDue} < ${on}::date`);
      if (q.due === 'near') conds.push(sql`${effectiveDue} between ${on}::date and ${nearLimit}::date`);
      if (q.due === 'ok') conds.push(sql`${effectiveDue} > ${nearLimit}::date`);
      const where = and(...conds);
      const [rows, [{ n }]] = await Promise.all([
        db
          .select(caseColumns)
          .from(permitCase)
          .innerJoin(registryUnit, eq(registryUnit.id, permitCase.unitId))
          .leftJoin(permit, eq(permit.id, permitCase.permitId))
          .where(where)
          .orderBy(sql`${effectiveDue} asc nulls last`, desc(permitCase.updatedAt), desc(permitCase.id))
          .limit(pageSize)
          .offset((page - 1) * pageSize),
        db.select({ n: count() }).from(permitCase).innerJoin(registryUnit, eq(registryUnit.id, permitCase.unitId)).where(where),
      ]);
      return { items: rows.map(view), total: Number(n), page, pageSize };
    },

    /** Add a file to a case: its type is read from its bytes and must match its extension. */
    async addAttachment(actor: Actor, id: string, file: { kind: AttachmentKind; fileName: string; data: Buffer; onSiteReviewId?: string }) {
      const found = await findCase(actor, id);
      const c = found.c;
      const parties = await partiesOf(actor, c);
      const state = c.state as CaseState;
      const applicantMay = parties.has('applicant') && ['draft', 'supplement_requested', 'returned'].includes(state);
      const officialMay = parties.has('official') && !ENDED_STATES.includes(state);
      const evaluatorMay = parties.has('evaluator') && state === 'under_evaluation';
      if (!applicantMay && !officialMay && !evaluatorMay) throw new CasePartyError('submit', parties.has('applicant') ? 'official' : 'applicant');
      if (file.data.length > deps.attachmentMaxBytes) throw new AttachmentTooLargeError(file.data.length, deps.attachmentMaxBytes);
      const fileName = file.fileName.trim().slice(0, 200);
      const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
      const allowed = Object.keys(ACCEPTED_FILES);
      const detected = await fileTypeFromBuffer(file.data);
      if (!ACCEPTED_FILES[ext]) throw new AttachmentTypeError(fileName, null, allowed);
      if (!detected || !ACCEPTED_FILES[ext].includes(detected.mime)) throw new AttachmentTypeError(fileName, detected ? `${detected.ext} (${detected.mime})` : 'unrecognised data', allowed);
      if (file.onSiteReviewId) {
        const [r] = await db.select({ id: caseOnSiteReview.id }).from(caseOnSiteReview).where(and(eq(caseOnSiteReview.id, file.onSiteReviewId), eq(caseOnSiteReview.caseId, id)));
        if (!r) throw new ValidationError({ zh: '该现场审核记录不属于本办件', en: 'The on-site review is not this case\'s' });
      }
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      const row = { id: uuidv7(), caseId: id, regionCode: c.regionCode, kind: file.kind, fileName, mediaType: detected.mime, size: file.data.length, sha256, data: file.data, onSiteReviewId: file.onSiteReviewId ?? null, uploadedBy: actor.displayName, uploadedAt: clock.now() };
      await db.transaction(async (tx) => {
        await tx.insert(caseAttachment).values(row);
        await recordAudit(tx, clock, actor, { action: 'case.attachment', entityType: 'permit_case', entityId: id, regionCode: c.regionCode, after: { attachmentId: row.id, kind: row.kind, fileName, size: row.size, sha256 } });
      });
      const { data: _bytes, caseId: _c, regionCode: _r, ...meta } = row;
      return meta;
    },

    async getAttachment(actor: Actor, id: string, attachmentId: string) {
      await findCase(actor, id);
      const [a] = await db.select().from(caseAttachment).where(and(eq(caseAttachment.id, attachmentId), eq(caseAttachment.caseId, id)));
      if (!a) throw new AttachmentNotFoundError();
      return { ...a, data: Buffer.from(a.data) };
    },

    // -- expert pool and agencies ------------------------------------------------------------------

    async createExpert(actor: Actor, input: ExpertInput) {
      if (!input.poolRegion.startsWith(actor.regionPrefix)) throw new ValidationError({ zh: `只能管理本辖区（${actor.regionPrefix || '全国'}）的专家库`, en: `You manage pools in your jurisdiction only (${actor.regionPrefix || 'national'})` });
      if (input.activeTo && input.activeTo < input.activeFrom) throw new ValidationError({ zh: '退出日期早于入库日期', en: 'The end date is before the start date' });
      if (input.employerAgencyId) {
        const [a] = await db.select({ id: technicalAgency.id }).from(technicalAgency).where(eq(technicalAgency.id, input.employerAgencyId));
        if (!a) throw new AgencyNotFoundError();
      }
      const now = clock.now();
      const row = { id: uuidv7(), poolRegion: input.poolRegion, name: input.name, specialties: input.specialties, title: input.title ?? null, employer: input.employer ?? null, employerAgencyId: input.employerAgencyId ?? null, relatedEntityIds: input.relatedEntityIds ?? [], userId: input.userId ?? null, activeFrom: input.activeFrom, activeTo: input.activeTo ?? null, version: 1, createdAt: now, updatedAt: now };
      await db.transaction(async (tx) => {
        await tx.insert(expert).values(row);
        await recordAudit(tx, clock, actor, { action: 'expert.create', entityType: 'expert', entityId: row.id, regionCode: input.poolRegion, after: { name: row.name, poolRegion: row.poolRegion, specialties: row.specialties, activeFrom: row.activeFrom } });
      });
      return expertView(row);
    },

    async updateExpert(actor: Actor, id: string, input: { expectedVersion: number; specialties?: string[]; relatedEntityIds?: string[]; activeTo?: string | null; employerAgencyId?: string | null }) {
      const [e] = await db.select().from(expert).where(and(eq(expert.id, id), regionPrefixIs(expert.poolRegion, actor.regionPrefix)));
      if (!e) throw new ExpertNotFoundError();
      const { expectedVersion, ...changes } = input;
      if (changes.employerAgencyId) {
        const [a] = await db.select({ id: technicalAgency.id }).from(technicalAgency).where(eq(technicalAgency.id, changes.employerAgencyId));
        if (!a) throw new AgencyNotFoundError();
      }
      if (changes.activeTo && changes.activeTo < e.activeFrom) throw new ValidationError({ zh: '退出日期早于入库日期', en: 'The end date is before the start date' });
      return db.transaction(async (tx) => {
        const [row] = await tx.update(expert).set({ ...changes, version: e.version + 1, updatedAt: clock.now() }).where(and(eq(expert.id, id), eq(expert.version, expectedVersion))).returning();
        if (!row) throw new ExpertChangedError();
        await recordAudit(tx, clock, actor, { action: 'expert.update', entityType: 'expert', entityId: id, regionCode: e.poolRegion, before: { version: e.version }, after: { version: row.version, ...changes } });
        return expertView(row);
      });
    },

    async listExperts(actor: Actor, q: { poolRegion?: string; activeOn?: string; specialty?: string }) {
      const conds: SQL[] = [poolScope(actor)];
      if (q.poolRegion) conds.push(eq(expert.poolRegion, q.poolRegion));
      if (q.activeOn) conds.push(sql`${expert.activeFrom} <= ${q.activeOn}::date and (${expert.activeTo} is null or ${expert.activeTo} >= ${q.activeOn}::date)`);
      if (q.specialty) conds.push(sql`exists (select 1 from unnest(${expert.specialties}) s where ${q.specialty} like s || '%' or s like ${q.specialty} || '%')`);
      const rows = await db.select().from(expert).where(and(...conds)).orderBy(asc(expert.poolRegion), asc(expert.name)).limit(1000);
      return { items: rows.map(expertView) };
    },

    /** Experts who could evaluate the case, each with why not when they cannot. */
    async eligibleExperts(actor: Actor, id: string) {
      const found = await findCase(actor, id);
      const c = found.c;
      const on = today();
      const [u] = await db.select({ industry: registryUnit.industryCode }).from(registryUnit).where(eq(registryUnit.id, c.unitId));
      const rows = await db.select().from(expert).where(sql`${c.regionCode} like ${expert.poolRegion} || '%'`).orderBy(asc(expert.name));
      const items = rows.map((e) => {
        const exclusions = exclusionsFor(e, c, on);
        return { ...expertView(e), eligible: exclusions.length === 0, exclusions, specialtyMatch: e.specialties.some((s) => u.industry.startsWith(s)) };
      });
      items.sort((a, b) => Number(b.eligible) - Number(a.eligible) || Number(b.specialtyMatch) - Number(a.specialtyMatch) || a.name.localeCompare(b.name, 'zh'));
      return { items };
    },

    async createAgency(actor: Actor, input: { name: string; creditCode: string; regionCode: string; userIds?: string[] }) {
      if (!inJurisdiction(actor.regionPrefix, input.regionCode)) throw new ValidationError({ zh: '只能登记本辖区的技术机构', en: 'You list agencies in your jurisdiction only' });
      if (!isValidCreditCode(input.creditCode.toUpperCase())) throw new ValidationError({ zh: `统一社会信用代码 ${input.creditCode} 校验不通过`, en: `The credit code ${input.creditCode} fails its check` });
      const row = { id: uuidv7(), name: input.name, creditCode: input.creditCode.toUpperCase(), regionCode: input.regionCode, userIds: input.userIds ?? [], createdAt: clock.now() };
      try {
        await db.transaction(async (tx) => {
          await tx.insert(technicalAgency).values(row);
          await recordAudit(tx, clock, actor, { action: 'agency.create', entityType: 'technical_agency', entityId: row.id, regionCode: row.regionCode, after: { name: row.name, creditCode: row.creditCode } });
        });
      } catch (err) {
        if (sqlState(err) === '23505') throw new AgencyExistsError(row.creditCode);
        throw err;
      }
      return { id: row.id, name: row.name, creditCode: row.creditCode, regionCode: row.regionCode, userIds: row.userIds };
    },

    async listAgencies(actor: Actor, q: { q?: string }) {
      // Agencies work across regions (one may prepare applications anywhere): every official sees the list.
      const conds: SQL[] = [];
      if (q.q) conds.push(sql`(${technicalAgency.name} ilike ${'%' + escapeLike(q.q) + '%'} or ${technicalAgency.creditCode} = ${q.q.toUpperCase()})`);
      const rows = await db.select().from(technicalAgency).where(conds.length ? and(...conds) : undefined).orderBy(asc(technicalAgency.name)).limit(500);
      // who the agency's users are is for those who manage the list
      const manager = can(actor.role, 'experts.manage');
      return { items: rows.map((a) => ({ id: a.id, name: a.name, creditCode: a.creditCode, regionCode: a.regionCode, userIds: manager ? a.userIds : [] })) };
    },

    /**
     * 现场审核比例 per city over the decisions (准予 or 不予许可) made in the period, for first
     * applications, changes and re-applications, against the target (measure 7: at least half).
     */
    async onSiteRatio(actor: Actor, q: { from: string; to: string; region?: string }) {
      if (q.to < q.from) throw new ValidationError({ zh: '结束日期早于开始日期', en: 'The end date is before the start date' });
      const target = rules.cases.on_site_ratio;
      const conds: SQL[] = [
        await caseScope(actor),
        inArray(permitCase.kind, target.kinds),
        inArray(permitCase.state, ['approved', 'refused']),
        sql`${permitCase.decidedOn} between ${q.from}::date and ${q.to}::date`,
      ];
      if (q.region) conds.push(sql`${permitCase.regionCode} like ${q.region + '%'}`);
      const rows = await db
        .select({ city: sql<string>`left(${permitCase.regionCode}, 4)`, kind: permitCase.kind, decided: count(), withOnSite: sql<number>`count(*) filter (where ${permitCase.onSite})` })
        .from(permitCase)
        .where(and(...conds))
        .groupBy(sql`1`, permitCase.kind);
      const lookup = await deps.reference.lookup();
      const byCity = new Map<string, { cityCode: string; cityName: string | null; decided: number; withOnSite: number; byKind: Record<string, { decided: number; withOnSite: number }> }>();
      for (const r of rows) {
        const code = `${r.city}00`;
        const e = byCity.get(code) ?? { cityCode: code, cityName: lookup.regionName(code) ?? null, decided: 0, withOnSite: 0, byKind: {} };
        e.decided += Number(r.decided);
        e.withOnSite += Number(r.withOnSite);
        e.byKind[r.kind] = { decided: Number(r.decided), withOnSite: Number(r.withOnSite) };
        byCity.set(code, e);
      }
      const out = [...byCity.values()].sort((a, b) => a.cityCode.localeCompare(b.cityCode)).map((e) => {
        const ratio = e.decided ? e.withOnSite / e.decided : null;
        return { ...e, ratio, meetsTarget: ratio === null ? null : ratio >= target.target };
      });
      const decided = out.reduce((s, e) => s + e.decided, 0);
      const withOnSite = out.reduce((s, e) => s + e.withOnSite, 0);
      return { from: q.from, to: q.to, target: target.target, source: target.source, rows: out, total: { decided, withOnSite, ratio: decided ? withOnSite / decided : null } };
    },
  };
}

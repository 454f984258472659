import { z } from 'zod';
import { ManagementCategory } from './registry.ts';
import { PermitContent } from './permits.ts';
import { RuleHit } from './review.ts';

/**
 * 许可办件: one procedure about one site's permit or registration, from application (or an
 * authority's opening) to decision. The state machines are in modules/cases/cases.workflow.ts.
 */
export const CaseKind = z.enum([
  'first', // 首次申请
  'change', // 变更
  'renewal', // 延续
  'reapplication', // 重新申请
  'registration', // 排污登记
  'cancellation', // 注销
  'revocation', // 撤销
  'penaltyRevocation', // 吊销
]);
export type CaseKind = z.infer<typeof CaseKind>;

export const CaseState = z.enum([
  'draft', // 草稿
  'submitted', // 已提交（待受理）
  'supplement_requested', // 待补正
  'accepted', // 已受理
  'under_evaluation', // 技术评估中
  'evaluated', // 评估完成
  'approved', // 准予许可
  'refused', // 不予许可
  'not_accepted', // 不予受理
  'withdrawn', // 已撤回
  'recorded', // 登记完成
  'returned', // 退回修改
  'opened', // 已立案（依职权）
  'hearing_notified', // 已告知听证权利
  'decided', // 已决定
  'dropped', // 终止办理
]);
export type CaseState = z.infer<typeof CaseState>;

export const CaseAction = z.enum([
  'submit',
  'request_supplement',
  'accept',
  'not_accept',
  'assign_evaluation',
  'complete_evaluation',
  'approve',
  'refuse',
  'withdraw',
  'record',
  'return',
  'notify_hearing',
  'decide',
  'drop',
]);
export type CaseAction = z.infer<typeof CaseAction>;

/** Who acts at a step: the unit (or its user), the permit department, the assigned evaluator. */
export const CaseParty = z.enum(['applicant', 'official', 'evaluator']);
export type CaseParty = z.infer<typeof CaseParty>;

export const AttachmentKind = z.enum([
  'application_form', // 排污许可证申请表
  'commitment', // 承诺书
  'eia_approval', // 环评批复或备案
  'evaluation_report', // 技术评估报告
  'on_site_record', // 现场审核记录
  'decision', // 决定书
  'other',
]);
export type AttachmentKind = z.infer<typeof AttachmentKind>;

const Id = z.uuid();
const Day = z.iso.date();
const Reason = z.string().trim().min(2).max(4000);

export const CaseCreateInput = z
  .object({
    kind: CaseKind,
    unitId: Id,
    /** change, renewal, reapplication, cancellation, revocation, penalty revocation: the permit concerned */
    permitId: Id.optional(),
    /** applications: the permit content applied for (validity dates are set at approval) */
    content: PermitContent.optional(),
    /** the typical-industry template the draft started from */
    templateId: z.string().trim().min(1).max(60).optional(),
    /** the technical agency that prepared the application (conflict-of-interest checks) */
    preparedByAgencyId: Id.optional(),
    /** authority cases: the grounds; applications: an optional note */
    grounds: z.string().trim().min(2).max(4000).optional(),
  })
  .strict();
export type CaseCreateInput = z.infer<typeof CaseCreateInput>;

export const CaseContentInput = z.object({ expectedVersion: z.number().int().min(1), content: PermitContent }).strict();

export const CaseActionInput = z
  .object({
    action: CaseAction,
    /** the case version the caller saw (optimistic lock: another official's step in between is a conflict) */
    expectedVersion: z.number().int().min(1),
    /** required for refusals, non-acceptance, returns, drops, hearing notices and authority decisions */
    reason: Reason.optional(),
    /** request_supplement: the one-time list of what is missing (一次性告知) */
    items: z.array(z.string().trim().min(1).max(500)).min(1).max(50).optional(),
    /** assign_evaluation: an agency, or a group of experts */
    agencyId: Id.optional(),
    expertIds: z.array(Id).min(1).max(15).optional(),
    /** complete_evaluation */
    conclusion: z.enum(['pass', 'pass_with_changes', 'fail']).optional(),
  })
  .strict();
export type CaseActionInput = z.infer<typeof CaseActionInput>;

export const CaseListQuery = z
  .object({
    kind: CaseKind.optional(),
    state: CaseState.optional(),
    /** true: only cases waiting on someone (not ended) */
    open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    /** overdue | near | ok: by the authority's due date */
    due: z.enum(['overdue', 'near', 'ok']).optional(),
    region: z.string().regex(/^\d{2,6}$/).optional(),
    unitId: Id.optional(),
    permitId: Id.optional(),
    /** part of the unit's name or the case number */
    q: z.string().trim().min(1).max(60).optional(),
    page: z.coerce.number().int().min(1).max(10_000).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();
export type CaseListQuery = z.infer<typeof CaseListQuery>;

const Flag = z.object({ code: z.string(), severity: z.enum(['warning', 'notice']), zh: z.string(), en: z.string() });

export const CaseDue = z.object({
  /** the last day for the authority's next step; null when none runs (waiting on the applicant, ended, or no legal limit) */
  date: z.string().nullable(),
  /** the rule counted (permit-lifecycle.json ids) */
  rule: z.string().nullable(),
  counting: z.enum(['working', 'calendar']),
  overdue: z.boolean(),
  near: z.boolean(),
  /** working days left (negative: days late) */
  workingDaysLeft: z.number().int().nullable(),
  /** the acceptance notice was not given within its limit: the application counts as accepted on receipt */
  deemedAccepted: z.boolean(),
  approximate: z.boolean(),
});

export const CaseView = z.object({
  id: Id,
  caseNumber: z.string(),
  kind: CaseKind,
  state: CaseState,
  unitId: Id,
  unitName: z.string(),
  entityId: Id,
  regionCode: z.string(),
  permitId: Id.nullable(),
  managementCategory: ManagementCategory.nullable(),
  receivedOn: z.string().nullable(),
  acceptedOn: z.string().nullable(),
  decidedOn: z.string().nullable(),
  onSite: z.boolean(),
  preparedByAgencyId: Id.nullable(),
  templateId: z.string().nullable(),
  grounds: z.string().nullable(),
  decisionReason: z.string().nullable(),
  resultPermitId: Id.nullable(),
  version: z.number().int(),
  createdBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  due: CaseDue,
  flags: z.array(Flag),
});
export type CaseView = z.infer<typeof CaseView>;

export const CaseEventView = z.object({
  seq: z.number().int(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  actorName: z.string(),
  party: z.string(),
  reason: z.string().nullable(),
  data: z.unknown(),
  occurredAt: z.date(),
});

export const EvaluationView = z.object({
  id: Id,
  agencyId: Id.nullable(),
  agencyName: z.string().nullable(),
  experts: z.array(z.object({ id: Id, name: z.string() })),
  assignedBy: z.string(),
  assignedAt: z.date(),
  conclusion: z.string().nullable(),
  findings: z.string().nullable(),
  completedBy: z.string().nullable(),
  completedAt: z.date().nullable(),
});

export const OnSiteReviewInput = z
  .object({
    reviewDate: Day,
    people: z.array(z.string().trim().min(1).max(60)).min(2, 'at least two reviewers / 现场审核至少两人').max(20),
    findings: z.string().trim().min(2).max(8000),
    outcome: z.enum(['no_problem', 'problems_found']),
  })
  .strict();
export type OnSiteReviewInput = z.infer<typeof OnSiteReviewInput>;

export const OnSiteReviewView = OnSiteReviewInput.extend({ id: Id, recordedBy: z.string(), recordedAt: z.date() });

export const AttachmentView = z.object({
  id: Id,
  kind: AttachmentKind,
  fileName: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  onSiteReviewId: Id.nullable(),
  uploadedBy: z.string(),
  uploadedAt: z.date(),
});

export const Completeness = z.object({
  complete: z.boolean(),
  missing: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
});

export const CaseDetail = CaseView.extend({
  content: PermitContent.nullable(),
  supplementItems: z.array(z.string()),
  events: z.array(CaseEventView),
  evaluations: z.array(EvaluationView),
  onSiteReviews: z.array(OnSiteReviewView),
  attachments: z.array(AttachmentView),
  completeness: Completeness,
  /** the quality-review catalog over the application's content (errors stop the submission) */
  review: z.array(RuleHit),
  /** what the caller may do now */
  allowedActions: z.array(CaseAction),
});

export const CaseList = z.object({ items: z.array(CaseView), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

// -- expert pool and agencies ----------------------------------------------------------------------

export const ExpertInput = z
  .object({
    /** the pool: a province (2 digits) or a city (4 digits) */
    poolRegion: z.string().regex(/^\d{2}(\d{2})?$/, 'a province (2 digits) or city (4 digits) prefix / 省（2 位）或市（4 位）代码'),
    name: z.string().trim().min(2).max(40),
    /** GB/T 4754 codes or prefixes (e.g. "44" power, "3011" cement) the expert covers */
    specialties: z.array(z.string().regex(/^\d{2,4}$/)).min(1).max(30),
    title: z.string().trim().max(60).optional(),
    employer: z.string().trim().max(100).optional(),
    /** the technical agency the expert works for, if any */
    employerAgencyId: Id.optional(),
    /** legal entities the expert is related to (declared): never assigned to their cases */
    relatedEntityIds: z.array(Id).max(50).optional(),
    /** a platform user for the expert (role expert), to see and complete assignments */
    userId: Id.optional(),
    activeFrom: Day,
    activeTo: Day.optional(),
  })
  .strict();
export type ExpertInput = z.infer<typeof ExpertInput>;

export const ExpertView = z.object({
  id: Id,
  poolRegion: z.string(),
  name: z.string(),
  specialties: z.array(z.string()),
  title: z.string().nullable(),
  employer: z.string().nullable(),
  employerAgencyId: Id.nullable(),
  relatedEntityIds: z.array(Id),
  userId: Id.nullable(),
  activeFrom: z.string(),
  activeTo: z.string().nullable(),
  version: z.number().int(),
});

export const ExpertUpdateInput = z
  .object({
    expectedVersion: z.number().int().min(1),
    specialties: z.array(z.string().regex(/^\d{2,4}$/)).min(1).max(30).optional(),
    relatedEntityIds: z.array(Id).max(50).optional(),
    activeTo: Day.nullable().optional(),
    employerAgencyId: Id.nullable().optional(),
  })
  .strict();

export const AgencyInput = z
  .object({
    name: z.string().trim().min(2).max(100),
    creditCode: z.string().trim().length(18),
    regionCode: z.string().regex(/^\d{6}$/),
    /** platform users (role agency) who act for the agency */
    userIds: z.array(Id).max(50).optional(),
  })
  .strict();
export const AgencyView = z.object({ id: Id, name: z.string(), creditCode: z.string(), regionCode: z.string(), userIds: z.array(Id) });

export const EligibleExpert = ExpertView.extend({
  eligible: z.boolean(),
  /** why not: inactive | outside-pool | same-agency | related-to-unit */
  exclusions: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  specialtyMatch: z.boolean(),
});

export const OnSiteRatioQuery = z.object({ from: Day, to: Day, region: z.string().regex(/^\d{2,6}$/).optional() }).strict();
export const OnSiteRatio = z.object({
  from: z.string(),
  to: z.string(),
  target: z.number(),
  source: z.string(),
  rows: z.array(
    z.object({
      cityCode: z.string(),
      cityName: z.string().nullable(),
      decided: z.number().int(),
      withOnSite: z.number().int(),
      ratio: z.number().nullable(),
      meetsTarget: z.boolean().nullable(),
      byKind: z.record(z.string(), z.object({ decided: z.number().int(), withOnSite: z.number().int() })),
    }),
  ),
  total: z.object({ decided: z.number().int(), withOnSite: z.number().int(), ratio: z.number().nullable() }),
});

const Label = z.object({ zh: z.string(), en: z.string() });
export const TemplateSummary = z.object({
  id: z.string(),
  name: Label,
  industryCodes: z.array(z.string()),
  managementCategory: z.enum(['key', 'simplified']),
  note: Label,
  permittedFactors: z.array(z.string()),
  /** limits the reference tables could not fill (left for the applicant) */
  limitsMissing: z.number().int(),
});

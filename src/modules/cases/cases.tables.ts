import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, index, uniqueIndex, date, jsonb, boolean, bigint, customType } from 'drizzle-orm/pg-core';
import { registryUnit } from '../registry/index.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * 许可办件: one procedure about one site (an application, a registration, or an authority's
 * cancellation or revocation). `region_code` is the site's when the case was opened: the
 * jurisdiction key and the distribution key on a sharded deployment.
 */
export const permitCase = pgTable(
  'permit_case',
  {
    id: uuid('id').primaryKey(),
    caseNumber: text('case_number').notNull(),
    kind: text('kind').notNull(),
    state: text('state').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => registryUnit.id),
    entityId: uuid('entity_id').notNull(),
    regionCode: text('region_code').notNull(),
    /** the permit concerned (not for first applications and registrations) */
    permitId: uuid('permit_id'),
    /** the permit's version when the case was opened: an application made on an older version is not approved over a newer one */
    basePermitVersion: integer('base_permit_version'),
    /** days (in the case's counting) spent in technical evaluation: not counted in the decision period (行政许可法 Art.45) */
    evaluationDays: integer('evaluation_days').notNull().default(0),
    /** the category applied for (applications), else the permit's or the unit's; null while unknown */
    managementCategory: text('management_category'),
    /** PermitContent applied for (applications only) */
    content: jsonb('content'),
    templateId: text('template_id'),
    preparedByAgencyId: uuid('prepared_by_agency_id'),
    grounds: text('grounds'),
    /** the one-time list of missing materials (一次性告知), while a supplement is asked for */
    supplementItems: jsonb('supplement_items').$type<string[]>().notNull().default([]),
    /** the day the last submission was received (China date) */
    receivedOn: date('received_on'),
    acceptedOn: date('accepted_on'),
    decidedOn: date('decided_on'),
    /** an on-site review was recorded (longer period for key management, 条例 Art.12) */
    onSite: boolean('on_site').notNull().default(false),
    /** the authority's due date as of the last step (the queue's sort key; flags are computed on read) */
    dueDate: date('due_date'),
    /** while waiting for acceptance: the decision due date should the application count as accepted on receipt */
    deemedDueDate: date('deemed_due_date'),
    decisionReason: text('decision_reason'),
    /** the permit (or registration) the decision produced or ended */
    resultPermitId: uuid('result_permit_id'),
    resultRegistrationId: uuid('result_registration_id'),
    /** optimistic-lock counter: every step adds one */
    version: integer('version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('permit_case_number_uq').on(t.caseNumber),
    index('permit_case_region_state_idx').on(sql`${t.regionCode} text_pattern_ops`, t.state),
    index('permit_case_due_idx').on(t.dueDate).where(sql`due_date is not null`),
    index('permit_case_unit_idx').on(t.unitId),
    index('permit_case_permit_idx').on(t.permitId),
    index('permit_case_entity_idx').on(t.entityId),
    index('permit_case_agency_idx').on(t.preparedByAgencyId),
    // One open procedure per site and kind: a second application while one is pending is a mistake.
    uniqueIndex('permit_case_open_uq')
      .on(t.unitId, t.kind)
      .where(sql`state not in ('approved','refused','not_accepted','withdrawn','recorded','decided','dropped')`),
  ],
);

/** Every step of a case, in order: who, from which state to which, and why. Never changed. */
export const permitCaseEvent = pgTable(
  'permit_case_event',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => permitCase.id),
    regionCode: text('region_code').notNull(),
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorId: uuid('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    party: text('party').notNull(),
    reason: text('reason'),
    data: jsonb('data'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('permit_case_event_seq_uq').on(t.caseId, t.seq)],
);

/** 技术机构: a technical agency that prepares applications and may be given evaluations. */
export const technicalAgency = pgTable(
  'technical_agency',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    creditCode: text('credit_code').notNull(),
    regionCode: text('region_code').notNull(),
    /** platform users (role agency) acting for it */
    userIds: uuid('user_ids').array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('technical_agency_credit_uq').on(t.creditCode), index('technical_agency_users_idx').using('gin', t.userIds)],
);

/** 专家库: provincial and municipal expert pools, with membership over time. */
export const expert = pgTable(
  'expert',
  {
    id: uuid('id').primaryKey(),
    /** '33' a provincial pool, '3301' a municipal one */
    poolRegion: text('pool_region').notNull(),
    name: text('name').notNull(),
    specialties: text('specialties').array().notNull(),
    title: text('title'),
    employer: text('employer'),
    employerAgencyId: uuid('employer_agency_id').references(() => technicalAgency.id),
    relatedEntityIds: uuid('related_entity_ids').array().notNull().default(sql`'{}'::uuid[]`),
    userId: uuid('user_id'),
    activeFrom: date('active_from').notNull(),
    activeTo: date('active_to'),
    version: integer('version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('expert_pool_idx').on(sql`${t.poolRegion} text_pattern_ops`), index('expert_user_idx').on(t.userId), index('expert_agency_idx').on(t.employerAgencyId)],
);

/** 技术评估: an evaluation of a case given to an agency or to a group of experts. */
export const caseEvaluation = pgTable(
  'case_evaluation',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => permitCase.id),
    regionCode: text('region_code').notNull(),
    agencyId: uuid('agency_id').references(() => technicalAgency.id),
    expertIds: uuid('expert_ids').array().notNull().default(sql`'{}'::uuid[]`),
    assignedBy: text('assigned_by').notNull(),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull(),
    conclusion: text('conclusion'),
    findings: text('findings'),
    completedBy: text('completed_by'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('case_evaluation_case_idx').on(t.caseId), index('case_evaluation_agency_idx').on(t.agencyId), index('case_evaluation_experts_idx').using('gin', t.expertIds)],
);

/** 现场审核: a visit to the site during an application. */
export const caseOnSiteReview = pgTable(
  'case_on_site_review',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => permitCase.id),
    regionCode: text('region_code').notNull(),
    reviewDate: date('review_date').notNull(),
    people: text('people').array().notNull(),
    findings: text('findings').notNull(),
    outcome: text('outcome').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('case_on_site_review_case_idx').on(t.caseId)],
);

/** Files of a case, kept with their checksum; the type is what the bytes say, not the name. */
export const caseAttachment = pgTable(
  'case_attachment',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => permitCase.id),
    regionCode: text('region_code').notNull(),
    kind: text('kind').notNull(),
    fileName: text('file_name').notNull(),
    mediaType: text('media_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    onSiteReviewId: uuid('on_site_review_id').references(() => caseOnSiteReview.id),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('case_attachment_case_idx').on(t.caseId), index('case_attachment_review_idx').on(t.onSiteReviewId)],
);

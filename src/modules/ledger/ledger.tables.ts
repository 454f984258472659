import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, index, uniqueIndex, date } from 'drizzle-orm/pg-core';
import { registryUnit } from '../registry/index.ts';

/**
 * 整改台账: one problem to put right, from any source (a permit's 改正规定, a confirmed review
 * finding; inspections and monitoring later), tracked to its close-out (挂单销号) by an official
 * who has seen the evidence. `region_code` is the site's.
 */
export const rectificationItem = pgTable(
  'rectification_item',
  {
    id: uuid('id').primaryKey(),
    regionCode: text('region_code').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => registryUnit.id),
    entityId: uuid('entity_id').notNull(),
    permitId: uuid('permit_id'),
    /** permit_requirement | review_finding | manual */
    source: text('source').notNull(),
    /** what in the source it came from (permit:<id>:v<version>:<index>, review:<result id>): an item is made once */
    sourceRef: text('source_ref'),
    problem: text('problem').notNull(),
    basis: text('basis'),
    responsible: text('responsible').notNull(),
    deadline: date('deadline').notNull(),
    /** open | evidence_submitted | closed */
    status: text('status').notNull(),
    /** 0 not escalated; 1 reported to the city, 2 to the province (overdue_escalation_days in thresholds.json) */
    escalationLevel: integer('escalation_level').notNull().default(0),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: text('closed_by'),
    version: integer('version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('rectification_item_region_idx').on(sql`${t.regionCode} text_pattern_ops`, t.status),
    index('rectification_item_unit_idx').on(t.unitId),
    index('rectification_item_permit_idx').on(t.permitId),
    index('rectification_item_deadline_idx').on(t.deadline).where(sql`status <> 'closed'`),
    uniqueIndex('rectification_item_source_uq').on(t.sourceRef),
  ],
);

/** Progress notes, evidence, and the official's verification or rejection of an item, in order. */
export const rectificationUpdate = pgTable(
  'rectification_update',
  {
    id: uuid('id').primaryKey(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => rectificationItem.id),
    regionCode: text('region_code').notNull(),
    /** progress | evidence | verify | reject */
    kind: text('kind').notNull(),
    note: text('note').notNull(),
    /** evidence: what was shown, and its checksum when a file */
    evidenceName: text('evidence_name'),
    evidenceSha256: text('evidence_sha256'),
    actorName: text('actor_name').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('rectification_update_item_idx').on(t.itemId)],
);

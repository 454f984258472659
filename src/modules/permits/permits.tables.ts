import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, index, uniqueIndex, date, jsonb } from 'drizzle-orm/pg-core';
import { registryUnit } from '../registry/index.ts';

/**
 * 排污许可证: one permit of one production site (registry unit). Its content lives in immutable
 * versions; this row says which version is current. `region_code` is the site's, the
 * jurisdiction key (and the distribution key on a sharded deployment).
 */
export const permit = pgTable(
  'permit',
  {
    id: uuid('id').primaryKey(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => registryUnit.id),
    /** the holder when the current version was written (scope follows the registry: permits.service.ts) */
    entityId: uuid('entity_id').notNull(),
    regionCode: text('region_code').notNull(),
    /** the number of the current version (it may change between versions) */
    permitNumber: text('permit_number').notNull(),
    /** valid | cancelled (注销) | revoked (撤销) | penalty_revoked (吊销): set by the procedures */
    status: text('status').notNull(),
    managementCategory: text('management_category').notNull(),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to').notNull(),
    /** the current version's number; also the optimistic-lock counter */
    currentVersion: integer('current_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // One valid permit per site, and a number names one valid permit.
    uniqueIndex('permit_valid_unit_uq').on(t.unitId).where(sql`status = 'valid'`),
    uniqueIndex('permit_valid_number_uq').on(t.permitNumber).where(sql`status = 'valid'`),
    index('permit_number_idx').on(t.permitNumber),
    index('permit_region_idx').on(sql`${t.regionCode} text_pattern_ops`),
    index('permit_entity_idx').on(t.entityId),
    index('permit_valid_to_idx').on(t.validTo),
  ],
);

/**
 * One version of a permit's content: written once, never changed (a trigger refuses UPDATE and
 * DELETE, migration 0004). Issuing, changing and renewing each add one.
 */
export const permitVersion = pgTable(
  'permit_version',
  {
    id: uuid('id').primaryKey(),
    permitId: uuid('permit_id')
      .notNull()
      .references(() => permit.id),
    regionCode: text('region_code').notNull(),
    versionNo: integer('version_no').notNull(),
    /** issue | change | renewal | reapplication | import */
    reason: text('reason').notNull(),
    permitNumber: text('permit_number').notNull(),
    issuedOn: date('issued_on').notNull(),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to').notNull(),
    /** PermitContent (contracts/permits.ts) */
    content: jsonb('content').notNull(),
    /** sha256 of the content's canonical JSON: what was issued, checkable later */
    contentSha256: text('content_sha256').notNull(),
    note: text('note'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('permit_version_no_uq').on(t.permitId, t.versionNo), index('permit_version_region_idx').on(sql`${t.regionCode} text_pattern_ops`)],
);

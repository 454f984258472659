import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, doublePrecision, index, uniqueIndex, date } from 'drizzle-orm/pg-core';

/** 法人/主体: the legal entity, identified by its 统一社会信用代码 (GB 32100-2015). */
export const registryEntity = pgTable(
  'registry_entity',
  {
    id: uuid('id').primaryKey(),
    creditCode: text('credit_code').notNull(),
    /** what was typed or imported before the safe clean-ups, when it differed */
    creditCodeRaw: text('credit_code_raw'),
    name: text('name').notNull(),
    legalRepresentative: text('legal_representative'),
    /** registration region of the entity (GB/T 2260) */
    regionCode: text('region_code').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** optimistic-lock counter */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('registry_entity_credit_code_uq').on(t.creditCode),
    index('registry_entity_region_idx').on(sql`${t.regionCode} text_pattern_ops`),
  ],
);

/**
 * 排污单位 / 生产经营场所: one production site of an entity, numbered 1..999 within it; the site
 * is what holds a permit or a registration. `region_code` is the site's own location and the
 * jurisdiction key (and the distribution key on a sharded deployment).
 */
export const registryUnit = pgTable(
  'registry_unit',
  {
    id: uuid('id').primaryKey(),
    entityId: uuid('entity_id')
      .notNull()
      .references(() => registryEntity.id),
    siteSeq: integer('site_seq').notNull(),
    name: text('name').notNull(),
    /** name bigrams and facet tokens for the indexed list search (see search-tokens.ts) */
    searchTokens: text('search_tokens').array().notNull(),
    regionCode: text('region_code').notNull(),
    industryCode: text('industry_code').notNull(),
    industryEdition: text('industry_edition').notNull(),
    /** key | simplified | registration; null until determined */
    managementCategory: text('management_category'),
    /** active | closed */
    status: text('status').notNull(),
    address: text('address').notNull(),
    longitude: doublePrecision('longitude'),
    latitude: doublePrecision('latitude'),
    contactPerson: text('contact_person'),
    contactPhone: text('contact_phone'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: text('close_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** optimistic-lock counter */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('registry_unit_entity_site_uq').on(t.entityId, t.siteSeq),
    index('registry_unit_region_idx').on(sql`${t.regionCode} text_pattern_ops`, t.name),
    index('registry_unit_industry_idx').on(sql`${t.industryCode} text_pattern_ops`),
    index('registry_unit_search_tokens_idx').using('gin', t.searchTokens),
    // (created_at, id) serves newest-first pages and export keyset paging without a sort.
    index('registry_unit_created_idx').on(t.createdAt, t.id),
  ],
);

/** 排污登记: a site under registration management holds a registration instead of a permit. */
export const registryRegistration = pgTable(
  'registry_registration',
  {
    id: uuid('id').primaryKey(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => registryUnit.id),
    regionCode: text('region_code').notNull(),
    registrationNumber: text('registration_number').notNull(),
    /** valid | cancelled */
    status: text('status').notNull(),
    registeredOn: date('registered_on').notNull(),
    validUntil: date('valid_until').notNull(),
    dischargeDestination: text('discharge_destination'),
    standards: text('standards'),
    controlMeasures: text('control_measures'),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('registry_registration_number_uq').on(t.registrationNumber).where(sql`status = 'valid'`),
    index('registry_registration_unit_idx').on(t.unitId),
    uniqueIndex('registry_registration_valid_unit_uq').on(t.unitId).where(sql`status = 'valid'`),
    index('registry_registration_region_idx').on(sql`${t.regionCode} text_pattern_ops`),
  ],
);

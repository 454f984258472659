import { pgTable, text, integer, timestamp, jsonb, primaryKey, index, doublePrecision, boolean } from 'drizzle-orm/pg-core';

/** One row per loaded reference data set: what version is in the database and where it came from. */
export const refDataset = pgTable('ref_dataset', {
  name: text('name').primaryKey(),
  title: text('title').notNull(),
  edition: text('edition').notNull(),
  source: text('source').notNull(),
  licence: text('licence'),
  checksum: text('checksum').notNull(),
  rowCount: integer('row_count').notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull(),
});

/**
 * GB/T 2260 administrative divisions with their history: one row per code and period of use
 * (a code renamed or withdrawn and later reused has several rows).
 */
export const refRegion = pgTable(
  'ref_region',
  {
    code: text('code').notNull(),
    name: text('name').notNull(),
    level: text('level').notNull(), // province | prefecture | county
    provinceName: text('province_name'),
    prefectureName: text('prefecture_name'),
    /** in_use | changed | withdrawn */
    status: text('status').notNull(),
    validFromYear: integer('valid_from_year').notNull(),
    /** exclusive; null while in use */
    validToYear: integer('valid_to_year'),
    /** successor codes, e.g. ["110101"] or with the year they apply from */
    successors: jsonb('successors').$type<{ code: string; year?: number }[]>().notNull().default([]),
    current: boolean('current').notNull(),
  },
  (t) => [primaryKey({ columns: [t.code, t.validFromYear] }), index('ref_region_name_idx').on(t.name)],
);

/** GB/T 4754 industries, all four levels, keyed by the edition the code follows. */
export const refIndustry = pgTable(
  'ref_industry',
  {
    edition: text('edition').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    level: text('level').notNull(), // section | division | group | class
    parent: text('parent'),
  },
  (t) => [primaryKey({ columns: [t.edition, t.code] })],
);

/** HJ 212 pollutant codes (Appendix B), with the HJ/T 212-2005 code where there was one. */
export const refPollutant = pgTable('ref_pollutant', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  medium: text('medium').notNull(), // water | gas
  code2005: text('code_2005'),
  unitConcentration: text('unit_concentration'),
  unitAmount: text('unit_amount'),
  dataType: text('data_type'),
  alias: text('alias'),
});

/** Emission-standard limits: one row per standard, table, source category and pollutant. */
export const refEmissionLimit = pgTable(
  'ref_emission_limit',
  {
    id: integer('id').primaryKey(),
    standard: text('standard').notNull(),
    tableName: text('table_name').notNull(),
    sourceCategory: text('source_category'),
    pollutant: text('pollutant').notNull(),
    pollutantCode: text('pollutant_code'),
    /** max | min | range | text */
    direction: text('direction').notNull(),
    limitValue: doublePrecision('limit_value'),
    limitHigh: doublePrecision('limit_high'),
    limitText: text('limit_text').notNull(),
    unit: text('unit').notNull(),
    appliesTo: text('applies_to'),
    confidence: text('confidence').notNull(),
    source: text('source').notNull(),
    note: text('note'),
  },
  (t) => [index('ref_emission_limit_standard_idx').on(t.standard)],
);

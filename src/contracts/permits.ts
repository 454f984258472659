import { z } from 'zod';
import { ManagementCategory } from './registry.ts';

const flag = z.string().regex(/^[a-z0-9_]{1,80}$/, 'a flag name from the vocabulary / 词表中的标志名');
const term = z.string().trim().min(1).max(100);

/** A quantity in an explicit unit: one figure, or the largest single item and the total (boilers). */
export const QuantityFact = z
  .object({
    unit: z.string().trim().min(1).max(20),
    value: z.number().finite().nonnegative().optional(),
    largest: z.number().finite().nonnegative().optional(),
    total: z.number().finite().nonnegative().optional(),
  })
  .strict()
  .refine((q) => q.value !== undefined || q.largest !== undefined || q.total !== undefined, { message: 'give value, or largest and/or total / 请给出数值' });

export const ClassifyInput = z
  .object({
    industryCodes: z.array(z.string().regex(/^\d{4}$/, 'a 4-digit GB/T 4754-2017 class / 4 位行业小类代码')).min(1).max(20),
    /** a list given is complete ([] = none); a list not given is unknown */
    features: z.array(flag).max(100).optional(),
    industryFeatures: z.record(z.string().regex(/^\d{4}$/), z.array(flag).max(100)).optional(),
    products: z.array(term).max(100).optional(),
    materials: z.array(term).max(100).optional(),
    fuels: z.array(flag).max(20).optional(),
    quantities: z.record(flag, QuantityFact).refine((q) => Object.keys(q).length <= 100, 'at most 100 quantities').optional(),
    listedInKeyDischargerList: z.boolean().optional(),
    inIndustrialBuilding: z.boolean().optional(),
    generalProcesses: z.array(z.union([z.literal(109), z.literal(110), z.literal(111), z.literal(112)])).max(4).optional(),
    /** the category the application declares: flagged when lower than the directory's */
    declared: ManagementCategory.optional(),
  })
  .strict();
export type ClassifyInput = z.infer<typeof ClassifyInput>;

const Part = z.object({
  row: z.number().int(),
  industry: z.string(),
  industryCode: z.string().nullable(),
  category: ManagementCategory.nullable(),
  determined: z.boolean(),
  cell: z.object({ category: ManagementCategory, text: z.string() }).nullable(),
  because: z.array(z.string()),
  missing: z.array(z.string()),
});

export const ClassifyResult = z.object({
  category: ManagementCategory.nullable(),
  atLeast: ManagementCategory.nullable(),
  determined: z.boolean(),
  parts: z.array(Part),
  missing: z.array(z.string()),
  source: z.string(),
  finding: z.object({ code: z.literal('CATEGORY_DOWNGRADE'), zh: z.string(), en: z.string() }).nullable(),
});

// -- permit content (正本 / 副本), structured ---------------------------------------------------

/**
 * Units of measure a permit uses, by what they measure (as in the emission-limit tables and
 * HJ 212 Appendix B): air concentrations mg/m3, water mg/L; pH and the dimensionless ones
 * (色度 dilution factor, 林格曼黑度 grade); 粪大肠菌群 count/L; temperatures ℃; rates kg/h;
 * amounts t/a.
 */
export const CONCENTRATION_UNITS = { air: ['mg/m3', 'grade', '℃', 'dilution'], water: ['mg/L', 'pH', 'count/L', 'dilution', '℃'] } as const;
export const RATE_UNITS = ['kg/h'] as const;
export const AMOUNT_UNITS = ['t/a'] as const;

/** A date as YYYY-MM-DD (checked as a real date where it is used: permit-content.ts, the database). */
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const code = (re: RegExp, what: string) => z.string().trim().regex(re, what);
const limitNumber = z.number().finite();

/**
 * A limit has a direction: a maximum (most), a minimum (furnace temperature ≥ 850 ℃, dissolved
 * oxygen) or a range (pH 6–9). A pollutant without a limit has no `limit` at all: never 0.
 */
export const Limit = z.discriminatedUnion('direction', [
  z.object({ direction: z.literal('max'), value: limitNumber.positive(), unit: z.string() }).strict(),
  z.object({ direction: z.literal('min'), value: limitNumber, unit: z.string() }).strict(),
  z.object({ direction: z.literal('range'), low: limitNumber, high: limitNumber, unit: z.string() }).strict(),
]);
export type Limit = z.infer<typeof Limit>;

export const OutletPollutant = z
  .object({
    /** HJ 212-2017 pollutant code (reference table pollutants) */
    pollutantCode: z.string().trim().min(1).max(20),
    /** applicable standard as in the reference tables, e.g. "GB 13271-2014" */
    standard: z.string().trim().min(1).max(80),
    limit: Limit.optional(),
    rateLimit: z.object({ value: limitNumber.positive(), unit: z.enum(RATE_UNITS) }).strict().optional(),
    /** 基准氧含量, percent, where the standard corrects to it */
    referenceO2: z.number().min(0).max(21).optional(),
  })
  .strict();

export const Outlet = z
  .object({
    /** HJ 608-2017: D + A (air) or W (water) + 3 digits, unique within the permit */
    code: code(/^D[AW]\d{3}$/, 'DA001 (air) or DW001 (water) / 排放口编号'),
    name: z.string().trim().min(1).max(100),
    /** 主要 / 一般 / 特殊 / 设备或车间 排放口 */
    kind: z.enum(['main', 'general', 'special', 'workshop']),
    longitude: z.number().min(73).max(136),
    latitude: z.number().min(3).max(54),
    /** air outlets: stack height, m */
    heightM: z.number().positive().max(500).optional(),
    /** water outlets: where the water goes */
    receivingWater: z.string().trim().min(1).max(100).optional(),
    /** 设计排放流量, m3/h (air: dry standard gas; water: the design water flow) — with the hours, what an amount is checked against */
    designFlowM3h: z.number().positive().max(100_000_000).optional(),
    /** 年运行时间, hours a year the outlet discharges (at most 8,784) */
    operatingHours: z.number().positive().max(8784).optional(),
    pollutants: z.array(OutletPollutant).max(200),
  })
  .strict();

/** 许可排放量 control factors. */
export const ControlFactor = z.enum(['SO2', 'NOx', 'particulate', 'VOCs', 'COD', 'NH3-N', 'TN', 'TP', 'heavy-metals']);
export type ControlFactor = z.infer<typeof ControlFactor>;

export const PermitContent = z
  .object({
    managementCategory: ManagementCategory,
    validFrom: Day,
    validTo: Day,
    productionFacilities: z.array(z.object({ code: code(/^MF\d{4}$/, 'MF0001'), name: z.string().trim().min(1).max(100), capacity: z.object({ value: z.number().positive(), unit: z.string().trim().min(1).max(20) }).strict().optional() }).strict()).max(500),
    controlFacilities: z.array(z.object({ code: code(/^T[AWNS]\d{3}$/, 'TA001 / TW001'), name: z.string().trim().min(1).max(100), process: z.string().trim().max(200).optional() }).strict()).max(500),
    outlets: z.array(Outlet).max(300),
    permittedQuantities: z.array(z.object({ factor: ControlFactor, year: z.number().int().min(2000).max(2100), amount: z.number().nonnegative(), unit: z.enum(AMOUNT_UNITS), outletCode: z.string().optional() }).strict()).max(1000),
    selfMonitoring: z.array(z.object({ outletCode: z.string(), pollutantCode: z.string(), frequency: z.string().trim().min(1).max(40), mode: z.enum(['manual', 'automatic']), method: z.string().trim().max(200).optional() }).strict()).max(2000),
    reports: z.array(z.object({ type: z.enum(['annual', 'half-year', 'quarterly', 'monthly']) }).strict()).max(4),
    rectifications: z.array(z.object({ requirement: z.string().trim().min(1).max(1000), deadline: Day }).strict()).max(100),
    specialConditions: z.array(z.string().trim().min(1).max(2000)).max(100),
  })
  .strict();
export type PermitContent = z.infer<typeof PermitContent>;

// -- permits and their versions ------------------------------------------------------------------

const Id = z.uuid();

export const PermitIssueInput = z
  .object({
    unitId: Id,
    content: PermitContent,
    /** 发证日期; today (China) when absent */
    issuedOn: Day.optional(),
    /** an existing permit's number from the national platform: accepted as written, doubtful parts reported */
    permitNumber: z.string().trim().min(1).max(40).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type PermitIssueInput = z.infer<typeof PermitIssueInput>;

export const PermitChangeInput = z
  .object({
    /** the version the caller saw (optimistic lock) */
    expectedVersion: z.number().int().min(1),
    /** 变更, 延续 or 重新申请 */
    /** import: content read from the national platform's permit page (the period stays) */
    reason: z.enum(['change', 'renewal', 'reapplication', 'import']),
    content: PermitContent,
    issuedOn: Day.optional(),
    /** import only: the number the national platform now gives the permit (e.g. after the holder's credit code changed); the history keeps both */
    permitNumber: z.string().trim().min(1).max(40).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((v) => v.permitNumber === undefined || v.reason === 'import', { message: 'a new number comes with reason import only / 仅导入时可改编号', path: ['permitNumber'] });
export type PermitChangeInput = z.infer<typeof PermitChangeInput>;

export const PermitStatus = z.enum(['valid', 'cancelled', 'revoked', 'penalty_revoked']);

export const PermitListQuery = z
  .object({
    unitId: Id.optional(),
    status: PermitStatus.optional(),
    region: z.string().regex(/^\d{2,6}$/).optional(),
    /** part of the permit number */
    number: z.string().trim().min(1).max(40).optional(),
    page: z.coerce.number().int().min(1).max(10_000).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();
export type PermitListQuery = z.infer<typeof PermitListQuery>;

export const PermitView = z.object({
  id: Id,
  unitId: Id,
  entityId: Id,
  regionCode: z.string(),
  permitNumber: z.string(),
  status: PermitStatus,
  managementCategory: ManagementCategory,
  validFrom: z.string(),
  validTo: z.string(),
  currentVersion: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const Problem = z.object({ code: z.string(), severity: z.enum(['error', 'warning']), path: z.string(), zh: z.string(), en: z.string() });
const NumberFinding = z.object({ code: z.string(), severity: z.enum(['warning', 'notice']), zh: z.string(), en: z.string() });
export const ContentChange = z.object({ path: z.string(), kind: z.enum(['added', 'removed', 'changed']), before: z.unknown().optional(), after: z.unknown().optional() });

export const PermitIssueResult = z.object({ permit: PermitView, warnings: z.array(Problem), numberFindings: z.array(NumberFinding) });
export const PermitChangeResult = z.object({ permit: PermitView, warnings: z.array(Problem), changes: z.array(ContentChange) });
export const PermitDetail = PermitView.extend({ issuedOn: z.string(), content: PermitContent, contentSha256: z.string() });
export const PermitList = z.object({ items: z.array(PermitView), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
const VersionMeta = z.object({
  versionNo: z.number().int(),
  reason: z.string(),
  permitNumber: z.string(),
  issuedOn: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  contentSha256: z.string(),
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.date(),
});
export const PermitVersionList = z.object({ items: z.array(VersionMeta) });
export const PermitVersionView = VersionMeta.extend({ content: PermitContent });
export const PermitComparison = z.object({ from: z.number().int(), to: z.number().int(), permitNumbers: z.object({ from: z.string(), to: z.string() }), changes: z.array(ContentChange) });

/** 信息公开: what anyone may see of a permit, without login. */
export const PublicPermit = z.object({
  permitNumber: z.string(),
  status: PermitStatus,
  unitName: z.string(),
  creditCode: z.string(),
  address: z.string(),
  regionCode: z.string(),
  regionName: z.string().nullable(),
  industryCode: z.string(),
  industryName: z.string().nullable(),
  managementCategory: ManagementCategory,
  validFrom: z.string(),
  validTo: z.string(),
  issuedOn: z.string(),
  authority: z.string(),
  versionNo: z.number().int(),
  contentSha256: z.string(),
  content: PermitContent,
});

/** What a permit import found and did (permits/permit-import.ts). */
export const PermitImportResult = z.object({
  kind: z.enum(['listing', 'detail']),
  rows: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  duplicates: z.number().int(),
  permitsCreated: z.number().int(),
  versionsAdded: z.number().int(),
  written: z.boolean(),
  issues: z.array(z.object({ row: z.number().int(), column: z.string(), severity: z.enum(['error', 'warning', 'notice']), code: z.string(), message: z.string(), messageEn: z.string() })),
});

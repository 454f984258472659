import { z } from 'zod';

/** 管理类别: key (重点), simplified (简化), registration (登记). */
export const ManagementCategory = z.enum(['key', 'simplified', 'registration']);
export type ManagementCategory = z.infer<typeof ManagementCategory>;
export const MANAGEMENT_CATEGORY_LABELS: Record<ManagementCategory, { zh: string; en: string }> = {
  key: { zh: '重点管理', en: 'Key management' },
  simplified: { zh: '简化管理', en: 'Simplified management' },
  registration: { zh: '登记管理', en: 'Registration management' },
};

export const UnitStatus = z.enum(['active', 'closed']);
export const UNIT_STATUS_LABELS = { active: { zh: '正常', en: 'Active' }, closed: { zh: '已关闭', en: 'Closed' } } as const;

/**
 * Text that PostgreSQL can store: no NUL character, no unpaired UTF-16 surrogate (either would
 * fail at the database instead of being refused here with a clear message).
 */
export const storableText = (s: z.ZodString) =>
  s.refine((v) => !v.includes('\u0000') && v.isWellFormed(), { message: 'contains a NUL character or broken Unicode' });
const text = (max: number) => storableText(z.string().trim().min(1).max(max));
const optText = (max: number) => storableText(z.string().trim().max(max)).nullish();

/** A real calendar date YYYY-MM-DD between 1990 and 2100. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((v) => {
    const [y, m, d] = v.split('-').map(Number);
    const dt = new Date(Date.UTC(y, m - 1, d));
    return y >= 1990 && y <= 2100 && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }, 'a real date between 1990 and 2100');
export const RegionCode = z.string().regex(/^\d{6}$/, '6-digit GB/T 2260 code');
export const IndustryCode = z.string().regex(/^\d{4}$/, '4-digit GB/T 4754-2017 class code');

export const EntityInput = z
  .object({
    creditCode: storableText(z.string().max(64)),
    name: text(200),
    legalRepresentative: optText(50),
    regionCode: RegionCode,
  })
  .strict();

/** Site fields shared by create and update. */
const SiteFields = {
  name: text(200),
  regionCode: RegionCode,
  industryCode: IndustryCode,
  managementCategory: ManagementCategory.nullish(),
  address: text(300),
  longitude: z.number().min(73).max(136).nullish(),
  latitude: z.number().min(3).max(54).nullish(),
  contactPerson: optText(50),
  contactPhone: z.string().trim().regex(/^[0-9+\-() ]{5,30}$/, 'phone number').nullish().or(z.literal('')),
};

/** Create a site: either for an existing entity (`entityId`) or together with a new entity. */
export const UnitCreateInput = z
  .object({
    entityId: z.string().uuid().optional(),
    entity: EntityInput.optional(),
    ...SiteFields,
  })
  .strict()
  .refine((v) => !!v.entityId !== !!v.entity, { message: 'give exactly one of entityId or entity', path: ['entity'] });
export type UnitCreateInput = z.infer<typeof UnitCreateInput>;

export const UnitUpdateInput = z
  .object({ version: z.number().int().min(1), ...SiteFields })
  .partial()
  .required({ version: true })
  .strict();
export type UnitUpdateInput = z.infer<typeof UnitUpdateInput>;

export const EntityUpdateInput = z
  .object({ version: z.number().int().min(1), name: text(200).optional(), legalRepresentative: optText(50) })
  .strict();

export const EntityView = z.object({
  id: z.string().uuid(),
  creditCode: z.string(),
  creditCodeRaw: z.string().nullable(),
  name: z.string(),
  legalRepresentative: z.string().nullable(),
  regionCode: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

export const UnitView = z.object({
  id: z.string().uuid(),
  entityId: z.string().uuid(),
  creditCode: z.string(),
  entityName: z.string(),
  siteSeq: z.number().int(),
  name: z.string(),
  regionCode: z.string(),
  regionName: z.string().nullable(),
  industryCode: z.string(),
  industryEdition: z.string(),
  industryName: z.string().nullable(),
  managementCategory: ManagementCategory.nullable(),
  status: UnitStatus,
  address: z.string(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  contactPerson: z.string().nullable(),
  contactPhone: z.string().nullable(),
  closedAt: z.date().nullable(),
  closeReason: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});
export type UnitView = z.infer<typeof UnitView>;

export const UnitSort = z.enum(['name', 'creditCode', 'regionCode', 'industryCode', 'createdAt', 'updatedAt']);

/** List filters. Nothing here has a default that could be mistaken for a filter (zod 4). */
export const UnitListQuery = z
  .object({
    q: storableText(z.string().trim().max(100)).optional(),
    creditCode: storableText(z.string().trim().max(18)).optional(),
    region: z.string().regex(/^\d{2,6}$/).optional(),
    industry: z.string().regex(/^\d{2,4}$/).optional(),
    category: ManagementCategory.optional(),
    status: UnitStatus.optional(),
    entityId: z.string().uuid().optional(),
    sort: UnitSort.optional(),
    order: z.enum(['asc', 'desc']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).optional(),
    pageSize: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();
export type UnitListQuery = z.infer<typeof UnitListQuery>;

export const UnitListResult = z.object({
  items: z.array(UnitView),
  total: z.number().int(),
  /** true when `total` was capped (the real count is at least `total`) */
  totalCapped: z.boolean(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const CloseInput = z.object({ reason: text(500), version: z.number().int().min(1) }).strict();
export const ReopenInput = z.object({ version: z.number().int().min(1) }).strict();

export const RegistrationInput = z
  .object({
    unitId: z.string().uuid(),
    registeredOn: CalendarDate.optional(),
    dischargeDestination: optText(500),
    standards: optText(500),
    controlMeasures: optText(1000),
  })
  .strict();

export const RegistrationView = z.object({
  id: z.string().uuid(),
  unitId: z.string().uuid(),
  regionCode: z.string(),
  registrationNumber: z.string(),
  status: z.enum(['valid', 'cancelled']),
  registeredOn: z.string(),
  validUntil: z.string(),
  dischargeDestination: z.string().nullable(),
  standards: z.string().nullable(),
  controlMeasures: z.string().nullable(),
  cancelledAt: z.date().nullable(),
  createdAt: z.date(),
});

export const AuditEntryView = z.object({
  id: z.string(),
  seq: z.number(),
  chain: z.string(),
  occurredAt: z.date(),
  actorName: z.string(),
  /** the actor's display name today (null for the command line or a removed user) */
  actorDisplayName: z.string().nullable(),
  requestId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export const ImportMode = z.enum(['dry-run', 'all-or-nothing', 'good-only']);
export type ImportMode = z.infer<typeof ImportMode>;

export const ImportRowError = z.object({ row: z.number().int(), column: z.string(), value: z.string(), reason: z.string(), reasonEn: z.string() });
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportResult = z.object({
  mode: ImportMode,
  totalRows: z.number().int(),
  goodRows: z.number().int(),
  badRows: z.number().int(),
  errors: z.array(ImportRowError),
  /** safe clean-ups applied (credit codes), when asked for */
  cleanups: z.array(z.object({ row: z.number().int(), column: z.string(), from: z.string(), to: z.string() })),
  imported: z.number().int(),
  entitiesCreated: z.number().int(),
  encoding: z.string().nullable(),
  warnings: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportJobView = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  phase: z.string(),
  processed: z.number().int(),
  total: z.number().int(),
  result: ImportResult.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

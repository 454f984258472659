import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../platform/errors.ts';
import type { ReferenceService } from './reference.service.ts';

// API shapes. Exported so the console can share them (candidates for src/contracts/).

export const RegionLevel = z.enum(['province', 'prefecture', 'county']);
export const RegionStatus = z.enum(['in_use', 'changed', 'withdrawn']);
export const IndustryLevel = z.enum(['section', 'division', 'group', 'class']);
export const PollutantMedium = z.enum(['water', 'gas']);
export const LimitDirection = z.enum(['max', 'min', 'range', 'text']);

export const RegionCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code / 6 位行政区划代码');
export const IndustryCode = z.string().regex(/^([A-T]|\d{2,4})$/, 'a GB/T 4754 code: section letter or 2–4 digits / 行业代码');

export const Dataset = z.object({
  name: z.string(),
  title: z.string(),
  edition: z.string(),
  source: z.string(),
  licence: z.string().nullable(),
  checksum: z.string(),
  rowCount: z.number().int(),
  loadedAt: z.string().describe('ISO 8601 instant'),
});

export const RegionRef = z.object({ code: z.string(), name: z.string() });

export const Region = z.object({
  code: z.string(),
  name: z.string(),
  level: RegionLevel,
  provinceName: z.string().nullable(),
  prefectureName: z.string().nullable().describe('null for provinces and counties directly under the province (直辖)'),
  status: RegionStatus,
  current: z.boolean(),
  validFromYear: z.number().int(),
  validToYear: z.number().int().nullable().describe('exclusive; null while in use'),
  successors: z.array(z.object({ code: z.string(), year: z.number().int().optional() })),
});

export const RegionResolution = z.object({
  code: z.string(),
  name: z.string(),
  level: RegionLevel,
  current: z.boolean(),
  status: RegionStatus,
  validFromYear: z.number().int(),
  validToYear: z.number().int().nullable(),
  successors: z.array(z.string()).describe('codes in use today this code maps to'),
  path: z.array(RegionRef),
});

export const RegionDetail = Region.extend({
  path: z.array(RegionRef),
  resolution: RegionResolution,
  history: z.array(Region),
});

export const Industry = z.object({
  edition: z.string(),
  code: z.string(),
  name: z.string(),
  level: IndustryLevel,
  parent: z.string().nullable(),
});

export const IndustryDetail = Industry.extend({ path: z.array(Industry), children: z.array(Industry) });

export const Pollutant = z.object({
  code: z.string(),
  name: z.string(),
  medium: PollutantMedium,
  code2005: z.string().nullable(),
  unitConcentration: z.string().nullable(),
  unitAmount: z.string().nullable(),
  dataType: z.string().nullable(),
  alias: z.string().nullable(),
});

export const EmissionLimit = z.object({
  id: z.number().int(),
  standard: z.string(),
  tableName: z.string(),
  sourceCategory: z.string().nullable(),
  pollutant: z.string(),
  pollutantCode: z.string().nullable(),
  direction: LimitDirection,
  limitValue: z.number().nullable(),
  limitHigh: z.number().nullable(),
  limitText: z.string(),
  unit: z.string(),
  appliesTo: z.string().nullable(),
  confidence: z.string(),
  source: z.string(),
  note: z.string().nullable(),
});

export const StandardSummary = z.object({
  standard: z.string(),
  limitCount: z.number().int(),
  tables: z.array(z.string()),
  referenceOxygen: z.array(z.object({ sourceCategory: z.string(), percent: z.number(), confidence: z.string(), note: z.string().nullable() })),
});

const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
/** '' must stay '' (it means "provinces"), so no min length. */
const optionalText = z.string().max(100).optional();

/**
 * Public, read-only reference data (no sign-in: these are published standards).
 *
 * - GET /api/reference/datasets — 200
 * - GET /api/reference/regions?parent=&q=&includeHistorical= — 200; 400 for a malformed parent
 * - GET /api/reference/regions/:code?atYear= — 200; 400 when not 6 digits; 404 when unknown
 * - GET /api/reference/industries?parent=&level=&q= — 200; 400 for a bad level
 * - GET /api/reference/industries/:code — 200; 400 for a malformed code; 404 when unknown
 * - GET /api/reference/pollutants?medium=&q= — 200
 * - GET /api/reference/limits?standard= — 200
 * - GET /api/reference/standards — 200
 */
export function registerReferenceRoutes(app: FastifyInstance, deps: { reference: ReferenceService }) {
  const { reference } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reference'];

  r.get(
    '/api/reference/datasets',
    { schema: { tags, summary: 'Loaded reference data sets with edition, source and licence / 已加载的基础数据集', response: { 200: items(Dataset) } } },
    async () => ({ items: (await reference.listDatasets()).map((d) => ({ ...d, loadedAt: d.loadedAt.toISOString() })) }),
  );

  r.get(
    '/api/reference/regions',
    {
      schema: {
        tags,
        summary: 'GB/T 2260 regions: children of a prefix, or a search / 行政区划（按上级或关键字）',
        description:
          "parent absent: every region; parent='': provinces; 2 digits: the province's prefectures plus counties directly under it (直辖市 districts, 省直辖县); 4 digits: a city's counties. q searches names and code prefixes (within parent when given).",
        querystring: z.object({
          parent: z.string().regex(/^(\d{2}|\d{4}|\d{2}0000|\d{4}00)?$/, "'' or a 2/4-digit prefix / 空或 2、4 位前缀").optional(),
          q: optionalText,
          includeHistorical: z.stringbool().optional(),
        }),
        response: { 200: items(Region) },
      },
    },
    async (req) => ({ items: await reference.listRegions(req.query) }),
  );

  r.get(
    '/api/reference/regions/:code',
    {
      schema: {
        tags,
        summary: 'One region code, old codes resolved to current ones / 行政区划代码详情（含历史代码对应）',
        params: z.object({ code: RegionCode }),
        querystring: z.object({ atYear: z.coerce.number().int().min(1949).max(2200).optional() }),
        response: { 200: RegionDetail },
      },
    },
    async (req) => {
      const { code } = req.params;
      const detail = await reference.getRegion(code);
      if (req.query.atYear === undefined) return detail;
      const resolution = await reference.resolveRegion(code, req.query.atYear);
      if (!resolution) {
        throw new NotFoundError({ zh: `${req.query.atYear} 年有效的行政区划代码 ${code}`, en: `region code ${code} valid in ${req.query.atYear}` }, { code, atYear: req.query.atYear });
      }
      const record = detail.history.find((h) => h.validFromYear === resolution.validFromYear) ?? detail;
      return { ...record, path: resolution.path, resolution, history: detail.history };
    },
  );

  r.get(
    '/api/reference/industries',
    {
      schema: {
        tags,
        summary: 'GB/T 4754-2017 industries by parent, level or text / 国民经济行业分类',
        description: 'With no filter: all 1,971 codes in tree order; level=section: the 20 门类. parent lists children (with q: all descendants matching q).',
        querystring: z.object({ parent: IndustryCode.optional(), level: IndustryLevel.optional(), q: optionalText }),
        response: { 200: items(Industry) },
      },
    },
    async (req) => ({ items: await reference.listIndustries(req.query) }),
  );

  r.get(
    '/api/reference/industries/:code',
    {
      schema: {
        tags,
        summary: 'One industry with its path and children / 行业类别详情',
        params: z.object({ code: IndustryCode }),
        response: { 200: IndustryDetail },
      },
    },
    async (req) => reference.getIndustry(req.params.code),
  );

  r.get(
    '/api/reference/pollutants',
    {
      schema: {
        tags,
        summary: 'HJ 212-2017 pollutant codes / 污染物编码（HJ 212-2017 附录B）',
        querystring: z.object({ medium: PollutantMedium.optional(), q: optionalText }),
        response: { 200: items(Pollutant) },
      },
    },
    async (req) => ({ items: await reference.listPollutants(req.query) }),
  );

  r.get(
    '/api/reference/limits',
    {
      schema: {
        tags,
        summary: 'Emission limits, optionally of one standard / 排放标准限值',
        querystring: z.object({ standard: z.string().min(1).max(200).optional() }),
        response: { 200: items(EmissionLimit) },
      },
    },
    // a copy: the service hands out its frozen snapshot, the response type is a mutable array
    async (req) => ({ items: [...(await reference.listEmissionLimits(req.query))] }),
  );

  r.get(
    '/api/reference/standards',
    { schema: { tags, summary: 'Emission standards with limits and reference O2 / 排放标准及基准氧含量', response: { 200: items(StandardSummary) } } },
    async () => ({ items: await reference.listStandards() }),
  );
}

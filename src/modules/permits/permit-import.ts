/**
 * Migration in from the national permit platform (全国排污许可证管理信息平台): its public
 * listings (one permit a row: 许可证编号, 单位名称, 省份/地市, 行业类别, 有效期限, 发证日期, 管理类别)
 * and its permit pages' outlet and pollutant tables (one pollutant of one outlet a row, with
 * 执行标准 as written there and coordinates in decimal or 度分秒; rows of several version dates
 * become successive versions).
 *
 * The discipline of the registry import: every bad row is reported with its column and a
 * code; a dry run writes nothing; a real run writes all or nothing unless the good rows alone
 * are asked for; a permit number already known is merged (counted as a duplicate), not created
 * again; detail rows that change nothing add no version.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { UnitView } from '../../contracts/registry.ts';
import { mapHeaders, parseImportFile, registryEntity, registryUnit, unitScope, type RegistryService } from '../registry/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import { permit, permitVersion } from './permits.tables.ts';
import { analysePermitNumber } from './permit-number.ts';
import { contentSha256, diffPermitContent } from './permit-content.ts';
import { canonicalStandard, halfWidth, parseCoordinate, parseDay, parseLimit, parseValidity } from './platform-text.ts';
import type { PermitsService } from './permits.service.ts';

export interface PermitImportIssue {
  row: number;
  column: string;
  severity: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
  messageEn: string;
}

export interface PermitImportSummary {
  kind: 'listing' | 'detail';
  rows: number;
  /** rows that are good (written, or would be on a real run) */
  accepted: number;
  rejected: number;
  /** rows naming a permit (or content) already known: merged, not created */
  duplicates: number;
  permitsCreated: number;
  versionsAdded: number;
  written: boolean;
  issues: PermitImportIssue[];
}

export interface PermitImportDeps {
  db: Db;
  clock: Clock;
  registry: Pick<RegistryService, 'getUnit'>;
  permits: Pick<PermitsService, 'issuePermit' | 'changePermit' | 'checkContent'>;
  reference: Pick<ReferenceService, 'listRegions' | 'listIndustries' | 'listPollutants'>;
}

const LISTING_COLUMNS: Record<string, string[]> = {
  permitNumber: ['许可证编号', '排污许可证编号', '证书编号'],
  unitName: ['单位名称', '排污单位名称', '企业名称'],
  region: ['省份/地市', '所在地区', '行政区划', '省份地市'],
  province: ['省份', '省'],
  city: ['地市', '城市', '所在城市'],
  industry: ['行业类别', '行业'],
  validity: ['有效期限', '有效期'],
  issuedOn: ['发证日期', '发证时间'],
  category: ['管理类别'],
};
const LISTING_REQUIRED = ['permitNumber', 'validity', 'category'];

const DETAIL_COLUMNS: Record<string, string[]> = {
  permitNumber: ['许可证编号', '排污许可证编号'],
  versionDate: ['版本日期', '变更日期', '版本'],
  outletCode: ['排放口编号'],
  outletName: ['排放口名称'],
  outletKind: ['排放口类型'],
  longitude: ['经度', '排放口经度'],
  latitude: ['纬度', '排放口纬度'],
  height: ['排气筒高度', '排气筒高度(m)', '排气筒高度（m）'],
  receivingWater: ['受纳水体', '受纳自然水体名称'],
  pollutant: ['污染物种类', '污染物', '污染物名称'],
  standard: ['执行标准', '国家或地方污染物排放标准', '排放标准'],
  limit: ['许可排放浓度限值', '排放浓度限值', '浓度限值'],
  unit: ['单位', '浓度单位'],
};
const DETAIL_REQUIRED = ['permitNumber', 'outletCode', 'longitude', 'latitude', 'pollutant', 'standard', 'limit'];

const CATEGORIES: Record<string, 'key' | 'simplified' | 'registration'> = { 重点管理: 'key', 重点: 'key', 简化管理: 'simplified', 简化: 'simplified', 登记管理: 'registration', 登记: 'registration' };
const OUTLET_KINDS: Record<string, PermitContent['outlets'][number]['kind']> = { 主要排放口: 'main', 一般排放口: 'general', 特殊排放口: 'special', 设备或车间排放口: 'workshop', 车间排放口: 'workshop' };

/** Units as the pages write them, in the permit's notation. */
const UNIT_ALIASES: Record<string, string> = { '毫克/立方米': 'mg/m3', 'mg/Nm3': 'mg/m3', '毫克/升': 'mg/L', 'mg/l': 'mg/L', '摄氏度': '℃', '°C': '℃' };

const norm = (s: string) => halfWidth(s).replace(/\s+/g, '').toLowerCase();
const unbracket = (s: string) => s.replace(/[(（][^)）]*[)）]/g, '');

type Raw = { rowNumber: number; values: Record<string, string> };

/** Read and check the file; write what is good unless it is a dry run (or, without goodOnly, anything is bad). */
export async function importPermits(deps: PermitImportDeps, actor: Actor, file: { data: Buffer; filename: string }, opts: { dryRun: boolean; goodOnly: boolean }): Promise<PermitImportSummary> {
  const sheet = await parseImportFile(file.data, file.filename);
  const detail = mapHeaders(sheet.headers, { outletCode: DETAIL_COLUMNS.outletCode }).missing.length === 0;
  const columns = detail ? DETAIL_COLUMNS : LISTING_COLUMNS;
  const { mapping, missing } = mapHeaders(sheet.headers, columns);
  const required = detail ? DETAIL_REQUIRED : LISTING_REQUIRED;
  const lacking = required.filter((f) => missing.includes(f));
  if (lacking.length) {
    const names = lacking.map((f) => columns[f][0]);
    throw new ValidationError({ zh: `文件缺少必需的列：${names.join('、')}`, en: `The file lacks required columns: ${names.join(', ')}` }, { missing: names });
  }
  const title = Object.fromEntries(Object.entries(mapping).map(([h, f]) => [f, h]));
  const rows: Raw[] = sheet.rows.map((r) => ({ rowNumber: r.rowNumber, values: Object.fromEntries(Object.entries(mapping).map(([h, f]) => [f, (r.values[h] ?? '').trim()])) }));
  const issues: PermitImportIssue[] = [];
  const issue = (row: number, field: string, severity: PermitImportIssue['severity'], code: string, zh: string, en: string) =>
    issues.push({ row, column: title[field] ?? columns[field]?.[0] ?? field, severity, code, message: zh, messageEn: en });
  return detail ? importDetail(deps, actor, rows, issue, issues, opts) : importListing(deps, actor, rows, issue, issues, opts);
}

type IssueFn = (row: number, field: string, severity: PermitImportIssue['severity'], code: string, zh: string, en: string) => void;

/** Errors of one row: `fail` reports one, `ok` says whether none was. */
function rowErrors(issue: IssueFn, row: number) {
  const state = { ok: true };
  const fail = (field: string, code: string, zh: string, en: string) => {
    issue(row, field, 'error', code, zh, en);
    state.ok = false;
  };
  return { fail, get ok() { return state.ok; } };
}

function summary(kind: 'listing' | 'detail', rows: Raw[], issues: PermitImportIssue[], duplicates: number, written: boolean, permitsCreated: number, versionsAdded: number): PermitImportSummary {
  const bad = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.row));
  return { kind, rows: rows.length, accepted: rows.length - bad.size, rejected: bad.size, duplicates, permitsCreated, versionsAdded, written, issues: issues.sort((a, b) => a.row - b.row) };
}

// -- listings ---------------------------------------------------------------------------------------

async function importListing(deps: PermitImportDeps, actor: Actor, rows: Raw[], issue: IssueFn, issues: PermitImportIssue[], opts: { dryRun: boolean; goodOnly: boolean }) {
  const { db } = deps;
  const today = chinaDate(deps.clock.now());
  const regions = await deps.reference.listRegions({});
  const regionByName = new Map<string, string>();
  for (const r of regions) if (r.level !== 'county') regionByName.set(norm(r.name), r.code);
  const industries = await deps.reference.listIndustries({ level: 'class' });
  const industryByName = new Map(industries.map((i) => [norm(i.name), i.code]));
  const industryCodes = new Set(industries.map((i) => i.code));

  type Good = { raw: Raw; number: string; from: string; to: string; issuedOn: string; category: 'key' | 'simplified'; stem: string; siteSeq: number | null; region?: string; industry?: string };
  const parsed: Good[] = [];
  for (const raw of rows) {
    const v = raw.values;
    const row = raw.rowNumber;
    const errs = rowErrors(issue, row);
    const fail = errs.fail;
    if (!v.permitNumber) {
      fail('permitNumber', 'REQUIRED', '许可证编号为空', 'the permit number is empty');
      continue;
    }
    const a = analysePermitNumber(v.permitNumber);
    // never refused: doubtful parts are reported as they are
    for (const f of a.findings) issue(row, 'permitNumber', f.severity, f.code, f.zh, f.en);
    const validity = parseValidity(v.validity ?? '');
    if (!validity.ok) fail('validity', 'BAD_VALIDITY', validity.zh, validity.en);
    const category = CATEGORIES[norm(v.category ?? '')];
    if (!category) fail('category', 'BAD_CATEGORY', `管理类别应为“重点管理”或“简化管理”：${v.category}`, `the category is 重点管理 or 简化管理: ${v.category}`);
    else if (category === 'registration') fail('category', 'REGISTRATION_NOT_PERMIT', '登记管理的单位没有排污许可证，请用排污登记导入', 'units under registration hold no permit; import them as registrations');
    let issuedOn = validity.ok ? validity.value.from : today;
    if (v.issuedOn) {
      const d = parseDay(v.issuedOn);
      if (!d.ok) fail('issuedOn', 'BAD_DATE', d.zh, d.en);
      else if (d.value > today) fail('issuedOn', 'FUTURE_DATE', `发证日期 ${d.value} 晚于今天`, `the issue date ${d.value} is after today`);
      else issuedOn = d.value;
    }
    if (validity.ok && validity.value.to < today) issue(row, 'validity', 'notice', 'EXPIRED', `许可证已于 ${validity.value.to} 届满`, `the permit expired on ${validity.value.to}`);
    // 省份/地市: "浙江省/杭州市", or two columns
    const place = v.region ? v.region.split(/[\/／\-—\s]+/).filter(Boolean) : [v.province, v.city].filter((x): x is string => !!x);
    const regionCodes = place.map((p) => regionByName.get(norm(p)));
    if (place.length && regionCodes.some((c) => !c)) issue(row, v.region !== undefined ? 'region' : 'city', 'warning', 'UNKNOWN_REGION', `无法识别的行政区：${place.join('/')}`, `unknown region: ${place.join('/')}`);
    const region = regionCodes.filter(Boolean).at(-1);
    let industry: string | undefined;
    if (v.industry) {
      const code = /(\d{4})/.exec(v.industry)?.[1];
      industry = code && industryCodes.has(code) ? code : industryByName.get(norm(unbracket(v.industry.replace(/^[A-Z]?\d{2,4}\s*/, ''))));
      if (!industry) issue(row, 'industry', 'warning', 'UNKNOWN_INDUSTRY', `无法识别的行业类别：${v.industry}`, `unknown industry: ${v.industry}`);
    }
    if (!errs.ok || !validity.ok || !category || category === 'registration') continue;
    parsed.push({ raw, number: a.number, from: validity.value.from, to: validity.value.to, issuedOn, category, stem: a.stem ?? a.number, siteSeq: a.siteSeq, region, industry });
  }

  // Duplicates within the file: the first row of a number stands; later ones merge into it.
  const seen = new Map<string, Good>();
  let duplicates = 0;
  const unique: Good[] = [];
  for (const g of parsed) {
    const first = seen.get(g.number);
    if (!first) {
      seen.set(g.number, g);
      unique.push(g);
      continue;
    }
    duplicates++;
    if (first.from !== g.from || first.to !== g.to || first.category !== g.category) {
      issue(g.raw.rowNumber, 'permitNumber', 'warning', 'DUPLICATE_DIFFERS', `与第 ${first.raw.rowNumber} 行编号相同但内容不同；以第 ${first.raw.rowNumber} 行为准`, `same number as row ${first.raw.rowNumber} with other values; row ${first.raw.rowNumber} stands`);
    } else issue(g.raw.rowNumber, 'permitNumber', 'notice', 'DUPLICATE_ROW', `与第 ${first.raw.rowNumber} 行重复，已合并`, `repeats row ${first.raw.rowNumber}; merged`);
  }

  // Known permits: merged, never created twice.
  const known = unique.length ? await db.select({ n: permit.permitNumber, validFrom: permit.validFrom, validTo: permit.validTo }).from(permit).where(inArray(permit.permitNumber, unique.map((g) => g.number))) : [];
  const knownBy = new Map(known.map((k) => [k.n, k]));
  // Sites by the number's credit code and site sequence, in the caller's jurisdiction.
  const stems = [...new Set(unique.map((g) => g.stem))];
  const sites = stems.length
    ? await db
        .select({ id: registryUnit.id, creditCode: registryEntity.creditCode, siteSeq: registryUnit.siteSeq, name: registryUnit.name, regionCode: registryUnit.regionCode, industryCode: registryUnit.industryCode, category: registryUnit.managementCategory })
        .from(registryUnit)
        .innerJoin(registryEntity, eq(registryEntity.id, registryUnit.entityId))
        .where(and(inArray(registryEntity.creditCode, stems), unitScope(actor)))
    : [];
  const held = sites.length ? await db.select({ unitId: permit.unitId, n: permit.permitNumber }).from(permit).where(and(inArray(permit.unitId, sites.map((s) => s.id)), eq(permit.status, 'valid'))) : [];
  const heldBy = new Map(held.map((h) => [h.unitId, h.n]));

  const toWrite: { g: Good; unitId: string }[] = [];
  const renumber: { g: Good; unitId: string; from: string }[] = [];
  for (const g of unique) {
    const row = g.raw.rowNumber;
    const k = knownBy.get(g.number);
    if (k) {
      duplicates++;
      if (k.validFrom !== g.from || k.validTo !== g.to) issue(row, 'validity', 'warning', 'DIFFERS_FROM_RECORD', `平台上的有效期 ${g.from}至${g.to} 与已有记录 ${k.validFrom}至${k.validTo} 不同；未改动已有记录`, `the platform's validity ${g.from}–${g.to} differs from the record's ${k.validFrom}–${k.validTo}; the record is left as it is`);
      else issue(row, 'permitNumber', 'notice', 'ALREADY_KNOWN', '该许可证已在平台中，已合并', 'the permit is already recorded; merged');
      continue;
    }
    const candidates = sites.filter((s) => s.creditCode === g.stem);
    // the site the number's sequence names; by name or as the only one only when it names none
    const site = g.siteSeq !== null ? candidates.find((s) => s.siteSeq === g.siteSeq) : ((g.raw.values.unitName ? candidates.find((s) => norm(s.name) === norm(g.raw.values.unitName)) : undefined) ?? (candidates.length === 1 ? candidates[0] : undefined));
    if (!site) {
      issue(row, 'permitNumber', 'error', 'UNIT_NOT_FOUND', `名录中（您的辖区内）没有与编号 ${g.number} 对应的生产经营场所；请先导入排污单位`, `no site in the registry (in your jurisdiction) matches ${g.number}; import the units first`);
      continue;
    }
    const queued = toWrite.find((w) => w.unitId === site.id);
    if (queued) {
      issue(row, 'permitNumber', 'error', 'SITE_TWICE', `第 ${queued.g.raw.rowNumber} 行已为同一场所导入许可证 ${queued.g.number}`, `row ${queued.g.raw.rowNumber} already imports permit ${queued.g.number} for the same site`);
      continue;
    }
    if (heldBy.has(site.id)) {
      // The platform gives the site's permit another number now (its holder's credit code
      // changed): the permit takes the new number in a new version; the history keeps the old.
      const old = heldBy.get(site.id)!;
      issue(row, 'permitNumber', 'warning', 'NUMBER_CHANGED', `该场所的许可证编号由 ${old} 改为 ${g.number}；版本记录保留原编号`, `the site's permit number changes from ${old} to ${g.number}; its versions keep the old one`);
      renumber.push({ g, unitId: site.id, from: old });
      continue;
    }
    if (site.category === 'registration') {
      issue(row, 'category', 'error', 'UNIT_IS_REGISTRATION', '名录中该场所为登记管理', 'the registry has the site under registration management');
      continue;
    }
    if (site.category && site.category !== g.category) issue(row, 'category', 'warning', 'CATEGORY_DIFFERS', `名录中的管理类别为 ${site.category}`, `the registry's category is ${site.category}`);
    if (g.region && !site.regionCode.startsWith(g.region.replace(/0+$/, ''))) issue(row, 'region', 'warning', 'REGION_DIFFERS', `名录中该场所位于 ${site.regionCode}`, `the registry places the site in ${site.regionCode}`);
    if (g.industry && g.industry !== site.industryCode) issue(row, 'industry', 'warning', 'INDUSTRY_DIFFERS', `名录中的行业为 ${site.industryCode}`, `the registry's industry is ${site.industryCode}`);
    toWrite.push({ g, unitId: site.id });
  }

  const bad = issues.some((i) => i.severity === 'error');
  const write = !opts.dryRun && toWrite.length + renumber.length > 0 && (!bad || opts.goodOnly);
  let created = 0;
  let versions = 0;
  if (write) {
    // the sites and renumbered permits, read before the transaction (the embedded database has one connection)
    const units = new Map<string, UnitView>();
    for (const w of [...toWrite, ...renumber]) units.set(w.unitId, await deps.registry.getUnit(actor, w.unitId));
    const current = renumber.length
      ? await db
          .select({ id: permit.id, n: permit.permitNumber, version: permit.currentVersion, content: permitVersion.content })
          .from(permit)
          .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
          .where(and(inArray(permit.permitNumber, renumber.map((r) => r.from)), eq(permit.status, 'valid')))
      : [];
    await db.transaction(async (tx) => {
      for (const r of renumber) {
        const c = current.find((x) => x.n === r.from)!;
        await deps.permits.changePermit(actor, c.id, { expectedVersion: c.version, reason: 'import', permitNumber: r.g.number, content: c.content as PermitContent, issuedOn: r.g.issuedOn, note: `全国平台编号变更：${r.from} → ${r.g.number}` }, { tx, unit: units.get(r.unitId)! });
        versions++;
      }
      for (const { g, unitId } of toWrite) {
        const content: PermitContent = { managementCategory: g.category, validFrom: g.from, validTo: g.to, productionFacilities: [], controlFacilities: [], outlets: [], permittedQuantities: [], selfMonitoring: [], reports: [], rectifications: [], specialConditions: [] };
        await deps.permits.issuePermit(actor, { unitId, permitNumber: g.number, issuedOn: g.issuedOn, content, note: '自全国排污许可证管理信息平台公开信息导入（许可事项待导入）' }, { tx, unit: units.get(unitId)! });
        created++;
      }
    });
  }
  return summary('listing', rows, issues, duplicates, write, created, versions);
}

// -- permit pages: outlets and pollutants -------------------------------------------------------------

async function importDetail(deps: PermitImportDeps, actor: Actor, rows: Raw[], issue: IssueFn, issues: PermitImportIssue[], opts: { dryRun: boolean; goodOnly: boolean }) {
  const { db } = deps;
  const today = chinaDate(deps.clock.now());
  const pollutants = await deps.reference.listPollutants();
  const pollutantByName = new Map<string, string>();
  for (const p of pollutants) {
    // the table's name, its alias, and the Chinese words in the alias ("烟尘 (used for particulate/颗粒物 on CEMS)")
    for (const n of [p.code, p.name, unbracket(p.name), p.alias ?? '', ...((p.alias ?? '').match(/[\u4e00-\u9fff]+/g) ?? [])]) if (n && !pollutantByName.has(norm(n))) pollutantByName.set(norm(n), p.code);
  }
  // as permit pages write them: "氨氮（NH3-N）", "总氮（以N计）", "汞及其化合物", "pH值"
  const pollutantCode = (text: string) => {
    const plain = unbracket(text);
    for (const c of [text, plain, plain.replace(/及其化合物$/, ''), plain.replace(/值$/, '')]) {
      const code = pollutantByName.get(norm(c));
      if (code) return code;
    }
    return undefined;
  };

  // a (permit, version date) with a bad row is not imported at all: its good rows alone would drop the rest
  const failedGroups = new Set<string>();
  type Line = { raw: Raw; number: string; version: string; outlet: PermitContent['outlets'][number]; pollutant: PermitContent['outlets'][number]['pollutants'][number] };
  const lines: Line[] = [];
  for (const raw of rows) {
    const v = raw.values;
    const row = raw.rowNumber;
    const errs = rowErrors(issue, row);
    const fail = errs.fail;
    const number = v.permitNumber ? analysePermitNumber(v.permitNumber).number : '';
    if (!number) fail('permitNumber', 'REQUIRED', '许可证编号为空', 'the permit number is empty');
    let version = '';
    if (v.versionDate) {
      const d = parseDay(v.versionDate);
      if (!d.ok) fail('versionDate', 'BAD_DATE', d.zh, d.en);
      else if (d.value > today) fail('versionDate', 'FUTURE_DATE', `版本日期 ${d.value} 晚于今天`, `the version date ${d.value} is after today`);
      else version = d.value;
    }
    const code = halfWidth(v.outletCode ?? '').toUpperCase().replace(/\s+/g, '');
    if (!/^D[AW]\d{3}$/.test(code)) fail('outletCode', 'BAD_OUTLET_CODE', `排放口编号应为 DA001 或 DW001 这样的形式：${v.outletCode}`, `an outlet code reads like DA001 or DW001: ${v.outletCode}`);
    const water = code.startsWith('DW');
    const lng = parseCoordinate(v.longitude ?? '', 'longitude');
    const lat = parseCoordinate(v.latitude ?? '', 'latitude');
    if (!lng.ok) fail('longitude', 'BAD_COORDINATE', lng.zh, lng.en);
    if (!lat.ok) fail('latitude', 'BAD_COORDINATE', lat.zh, lat.en);
    const kind = v.outletKind ? OUTLET_KINDS[norm(v.outletKind)] : 'general';
    if (!kind) fail('outletKind', 'BAD_OUTLET_KIND', `无法识别的排放口类型：${v.outletKind}`, `unknown outlet type: ${v.outletKind}`);
    let height: number | undefined;
    if (v.height && !/^(\/|—|-|无)$/.test(v.height)) {
      height = Number(halfWidth(v.height).replace(/m$/i, ''));
      if (!(height > 0 && height <= 500)) fail('height', 'BAD_HEIGHT', `排气筒高度应为 0–500 米：${v.height}`, `a stack height is 0–500 m: ${v.height}`);
    }
    const pcode = pollutantCode(v.pollutant ?? '');
    if (!pcode) fail('pollutant', 'UNKNOWN_POLLUTANT', `HJ 212 编码表中没有这种污染物：${v.pollutant}`, `no such pollutant in the HJ 212 code table: ${v.pollutant}`);
    const standard = canonicalStandard(v.standard ?? '');
    if (!standard) fail('standard', 'UNREADABLE_STANDARD', `执行标准中没有可识别的标准编号：${v.standard}`, `no standard number in: ${v.standard}`);
    else if (standard !== halfWidth(v.standard ?? '').trim()) issue(row, 'standard', 'notice', 'STANDARD_NORMALISED', `“${v.standard}”按 ${standard} 记录`, `"${v.standard}" recorded as ${standard}`);
    const written = v.unit ? halfWidth(v.unit).replace(/³/g, '3').replace(/\s+/g, '') : '';
    const unit = pcode === 'w01001' && (written === '' || written === '无量纲') ? 'pH' : (UNIT_ALIASES[written] ?? written) || (water ? 'mg/L' : 'mg/m3');
    const limit = parseLimit(v.limit ?? '', unit);
    if (!limit.ok) fail('limit', 'BAD_LIMIT', limit.zh, limit.en);
    if (!errs.ok || !lng.ok || !lat.ok || !limit.ok || !kind || !pcode || !standard) {
      if (number) failedGroups.add(`${number}|${v.versionDate ? (parseDay(v.versionDate).ok ? (parseDay(v.versionDate) as { value: string }).value : v.versionDate) : ''}`);
      continue;
    }
    lines.push({
      raw,
      number,
      version,
      outlet: { code, name: v.outletName || code, kind, longitude: lng.value, latitude: lat.value, ...(height !== undefined && !water ? { heightM: height } : {}), ...(water && v.receivingWater ? { receivingWater: v.receivingWater } : {}), pollutants: [] },
      pollutant: { pollutantCode: pcode, standard, ...(limit.value ? { limit: limit.value } : {}) },
    });
  }

  // Permits named, in the caller's jurisdiction, with their current content.
  const numbers = [...new Set(lines.map((l) => l.number))];
  const found = numbers.length
    ? await db
        .select({ p: permit, content: permitVersion.content, unitId: registryUnit.id })
        .from(permit)
        .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
        .innerJoin(registryUnit, and(eq(registryUnit.id, permit.unitId), unitScope(actor)))
        .where(and(inArray(permit.permitNumber, numbers), eq(permit.status, 'valid')))
    : [];
  const byNumber = new Map(found.map((f) => [f.p.permitNumber, f]));
  // every version's checksum and date: content already recorded in any version is merged
  const history = found.length ? await db.select({ permitId: permitVersion.permitId, sha: permitVersion.contentSha256, issuedOn: permitVersion.issuedOn }).from(permitVersion).where(inArray(permitVersion.permitId, found.map((f) => f.p.id))) : [];
  const sha = contentSha256;

  // One new content per permit and version date, in date order.
  type Planned = { number: string; version: string; rows: number[]; content: PermitContent };
  const plans: Planned[] = [];
  let duplicates = 0;
  for (const number of numbers) {
    const mine = lines.filter((l) => l.number === number);
    const f = byNumber.get(number);
    if (!f) {
      for (const l of mine) issue(l.raw.rowNumber, 'permitNumber', 'error', 'PERMIT_NOT_FOUND', `没有有效的许可证 ${number}（或不在您的辖区）；请先导入许可证名单`, `no valid permit ${number} (or not in your jurisdiction); import the listing first`);
      continue;
    }
    let current = f.content as PermitContent;
    for (const version of [...new Set(mine.map((l) => l.version))].sort()) {
      const group = mine.filter((l) => l.version === version);
      if (failedGroups.has(`${number}|${version}`)) {
        for (const l of group) issue(l.raw.rowNumber, 'permitNumber', 'error', 'VERSION_INCOMPLETE', `该许可证${version ? ` ${version} 版` : ''}的其他行有错误，本版未导入（只导入正确行会丢掉出错的排放口或污染物）`, `other rows of this permit${version ? `'s ${version} version` : ''} are bad, so it is not imported (its good rows alone would drop the bad ones' outlets or pollutants)`);
        break;
      }
      const outlets = new Map<string, PermitContent['outlets'][number]>();
      for (const l of group) {
        const o = outlets.get(l.outlet.code) ?? { ...l.outlet, pollutants: [] };
        if (o.pollutants.some((p) => p.pollutantCode === l.pollutant.pollutantCode)) {
          issue(l.raw.rowNumber, 'pollutant', 'warning', 'DUPLICATE_ROW', `排放口 ${o.code} 的 ${l.pollutant.pollutantCode} 重复，以先出现的一行为准`, `${l.pollutant.pollutantCode} at ${o.code} repeats; the first row stands`);
          duplicates++;
          continue;
        }
        o.pollutants.push(l.pollutant);
        outlets.set(o.code, o);
      }
      const next: PermitContent = { ...current, outlets: [...outlets.values()] };
      // the same checks the write will run (the content's own and the standards'), so a dry run says what a real one will do
      const errors = (await deps.permits.checkContent(next)).filter((p) => p.severity === 'error');
      if (errors.length) {
        for (const e of errors) {
          // the row of the outlet and pollutant the problem names, else the group's first
          const m = /outlets\[(\w+)\](?:\.pollutants\[(\w+)\])?/.exec(e.path);
          const at = group.find((l) => m && l.outlet.code === m[1] && (!m[2] || l.pollutant.pollutantCode === m[2])) ?? group[0];
          issue(at.raw.rowNumber, m?.[2] ? 'limit' : 'outletCode', 'error', e.code, `${e.path}：${e.zh}`, `${e.path}: ${e.en}`);
        }
        break;
      }
      const recorded = history.filter((h) => h.permitId === f.p.id);
      if (diffPermitContent(current, next).length === 0 || recorded.some((h) => h.sha === sha(next))) {
        duplicates += group.length;
        for (const l of group) issue(l.raw.rowNumber, 'permitNumber', 'notice', 'ALREADY_KNOWN', '内容与已有版本相同，已合并', 'same as a recorded version; merged');
        continue;
      }
      const latest = recorded.reduce((d, h) => (h.issuedOn > d ? h.issuedOn : d), '');
      if (version && version < latest) {
        // history older than what is recorded would come after it as the current version
        for (const l of group) issue(l.raw.rowNumber, 'versionDate', 'warning', 'OLDER_THAN_CURRENT', `版本日期 ${version} 早于已有的最新版本（${latest}），未导入`, `the version date ${version} is before the latest recorded version (${latest}); not imported`);
        continue;
      }
      plans.push({ number, version, rows: group.map((l) => l.raw.rowNumber), content: next });
      current = next;
    }
  }

  const bad = issues.some((i) => i.severity === 'error');
  const badRows = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.row));
  const good = plans.filter((p) => !p.rows.some((r) => badRows.has(r)));
  const write = !opts.dryRun && good.length > 0 && (!bad || opts.goodOnly);
  let versions = 0;
  if (write) {
    const units = new Map<string, UnitView>();
    for (const p of good) {
      const f = byNumber.get(p.number)!;
      if (!units.has(f.unitId)) units.set(f.unitId, await deps.registry.getUnit(actor, f.unitId));
    }
    await db.transaction(async (tx) => {
      const versionOf = new Map<string, number>();
      for (const p of good) {
        const f = byNumber.get(p.number)!;
        const expected = versionOf.get(p.number) ?? f.p.currentVersion;
        await deps.permits.changePermit(actor, f.p.id, { expectedVersion: expected, reason: 'import', content: p.content, ...(p.version ? { issuedOn: p.version } : {}), note: '自全国排污许可证管理信息平台许可证页面导入' }, { tx, unit: units.get(f.unitId)! });
        versionOf.set(p.number, expected + 1);
        versions++;
      }
    });
  }
  return summary('detail', rows, issues, duplicates, write, 0, versions);
}

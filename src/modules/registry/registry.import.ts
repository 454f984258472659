import { uuidv7 } from '../../platform/ids.ts';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { ValidationError } from '../../platform/errors.ts';
import { openAuditWriter, type AuditInput } from '../audit/index.ts';
import type { ImportMode, ImportResult, ImportRowError, ManagementCategory } from '../../contracts/registry.ts';
import { registryEntity, registryUnit } from './registry.tables.ts';
import { parseImportFile, mapHeaders, ImportFileError } from './import-file.ts';
import { unitSearchTokens } from './search-tokens.ts';
import { quiet, sendBulkInsert, type BulkColumnType } from '../../platform/bulk.ts';
import type { FieldChecks } from './registry.validate.ts';
import { INDUSTRY_EDITION } from './registry.service.ts';

/**
 * Column titles accepted in import files (Chinese or English, case and brackets ignored).
 * The export writes the first title of each, so an export can be imported again.
 */
export const UNIT_COLUMNS: Record<string, { titles: string[]; required: boolean }> = {
  creditCode: { titles: ['统一社会信用代码', '信用代码', 'credit code', 'creditCode'], required: true },
  entityName: { titles: ['单位名称', '法人名称', '主体名称', 'entity name', 'entityName'], required: true },
  legalRepresentative: { titles: ['法定代表人', '法人代表', 'legal representative', 'legalRepresentative'], required: false },
  siteName: { titles: ['生产经营场所名称', '场所名称', 'site name', 'siteName', 'unit name'], required: false },
  regionCode: { titles: ['行政区划代码', '区划代码', 'region code', 'regionCode'], required: true },
  industryCode: { titles: ['行业类别代码', '行业代码', 'industry code', 'industryCode'], required: true },
  managementCategory: { titles: ['管理类别', 'management category', 'managementCategory'], required: false },
  address: { titles: ['生产经营场所地址', '地址', 'address'], required: true },
  longitude: { titles: ['经度', 'longitude'], required: false },
  latitude: { titles: ['纬度', 'latitude'], required: false },
  contactPerson: { titles: ['联系人', 'contact person', 'contactPerson'], required: false },
  contactPhone: { titles: ['联系电话', 'contact phone', 'contactPhone'], required: false },
};

const CATEGORY_WORDS: Record<string, ManagementCategory> = {
  重点: 'key', 重点管理: 'key', key: 'key',
  简化: 'simplified', 简化管理: 'simplified', simplified: 'simplified',
  登记: 'registration', 登记管理: 'registration', registration: 'registration',
};

export interface GoodRow {
  row: number;
  creditCode: string;
  creditCodeRaw: string | null;
  entityName: string;
  legalRepresentative: string | null;
  siteName: string;
  regionCode: string;
  industryCode: string;
  managementCategory: ManagementCategory | null;
  address: string;
  longitude: number | null;
  latitude: number | null;
  contactPerson: string | null;
  contactPhone: string | null;
}

export interface ImportOptions {
  mode: ImportMode;
  /** apply the safe credit-code clean-ups (the raw value is kept) */
  applyCleanups: boolean;
  onProgress?: (phase: string, processed: number, total: number) => void;
}

const MAX_ERRORS_REPORTED = 100_000;

/**
 * Bulk import of sites (and their entities) from csv/xlsx. Every bad row is reported with
 * row, column, value and reason; nothing is written in a dry run; `all-or-nothing` writes
 * only when every row is good; `good-only` writes the good rows when asked explicitly.
 * Writes happen in one transaction with one audit event per created record.
 */
export async function importUnits(
  deps: { db: Db; clock: Clock; checks: FieldChecks },
  actor: Actor,
  file: { data: Buffer; filename: string },
  opts: ImportOptions,
): Promise<ImportResult> {
  const { db, clock, checks } = deps;
  const progress = opts.onProgress ?? (() => {});
  progress('parse', 0, 0);
  let sheet;
  try {
    sheet = await parseImportFile(file.data, file.filename);
  } catch (err: unknown) {
    if (err instanceof ImportFileError) throw new ValidationError({ zh: err.zh, en: err.en }, { fileError: err.code });
    throw err;
  }
  const aliases = Object.fromEntries(Object.entries(UNIT_COLUMNS).map(([k, v]) => [k, v.titles]));
  const mapped = mapHeaders(sheet.headers, aliases);
  const { unknown, missing } = mapped;
  // field → column title as it appears in the file
  const mapping: Record<string, string> = Object.fromEntries(Object.entries(mapped.mapping).map(([title, field]) => [field, title]));
  const missingRequired = missing.filter((f) => UNIT_COLUMNS[f].required);
  if (missingRequired.length) {
    const names = missingRequired.map((f) => UNIT_COLUMNS[f].titles[0]);
    throw new ValidationError(
      { zh: `缺少必填列：${names.join('、')}`, en: `Missing required columns: ${missingRequired.map((f) => UNIT_COLUMNS[f].titles[2] ?? f).join(', ')}` },
      { missingColumns: names },
    );
  }
  const warnings = sheet.warnings.map((w) => `${w.zh} / ${w.en}`);
  if (unknown.length) warnings.push(`忽略未知列 / ignored unknown columns: ${unknown.join(', ')}`);

  const errors: ImportRowError[] = [];
  const cleanups: ImportResult['cleanups'] = [];
  const good: GoodRow[] = [];
  const badRows = new Set<number>();
  const fail = (row: number, field: string, value: string, zh: string, en: string) => {
    badRows.add(row);
    if (errors.length < MAX_ERRORS_REPORTED) errors.push({ row, column: UNIT_COLUMNS[field]?.titles[0] ?? field, value, reason: zh, reasonEn: en });
  };
  const total = sheet.rows.length;
  const seenSite = new Map<string, number>();
  const entityNameByCode = new Map<string, { name: string; row: number }>();

  sheet.rows.forEach((r, i) => {
    if (i % 5000 === 0) progress('validate', i, total);
    const get = (f: string) => (mapping[f] ? (r.values[mapping[f]] ?? '').trim() : '');
    const row = r.rowNumber;
    const before = badRows.size;
    // Characters PostgreSQL cannot store would fail the whole write; refuse them per cell.
    let unstorable = false;
    for (const [field, title] of Object.entries(mapping)) {
      const v = r.values[title] ?? '';
      if (v.includes('\u0000') || !v.isWellFormed()) {
        fail(row, field, v.replace(/\u0000/g, '\\0').toWellFormed(), '含有无法保存的字符（NUL 或损坏的 Unicode）', 'Contains a character that cannot be stored (NUL or broken Unicode)');
        unstorable = true;
      }
    }
    if (unstorable) return;
    // The raw code is kept exactly as the file had it (the checker reports what is wrong with it).
    const rawCode = mapping.creditCode ? (r.values[mapping.creditCode] ?? '') : '';
    const cc = checks.creditCode('creditCode', rawCode, opts.applyCleanups);
    if (cc.problem) fail(row, 'creditCode', rawCode, cc.problem.zh, cc.problem.en);
    else if (cc.cleaned) cleanups.push({ row, column: UNIT_COLUMNS.creditCode.titles[0], from: rawCode, to: cc.code! });
    const entityName = get('entityName');
    if (!entityName) fail(row, 'entityName', '', '单位名称不能为空', 'Entity name is required');
    else if (entityName.length > 200) fail(row, 'entityName', entityName.slice(0, 50), '单位名称超过 200 字', 'Entity name longer than 200 characters');
    const siteName = get('siteName') || entityName;
    if (siteName.length > 200) fail(row, 'siteName', siteName.slice(0, 50), '场所名称超过 200 字', 'Site name longer than 200 characters');
    const regionCode = get('regionCode');
    const rp = checks.region(actor, 'regionCode', regionCode);
    if (rp) fail(row, 'regionCode', regionCode, rp.zh, rp.en);
    const industryCode = get('industryCode');
    const ip = checks.industry('industryCode', industryCode);
    if (ip) fail(row, 'industryCode', industryCode, ip.zh, ip.en);
    const catRaw = get('managementCategory');
    const category = catRaw ? CATEGORY_WORDS[catRaw.toLowerCase()] : null;
    if (catRaw && !category) fail(row, 'managementCategory', catRaw, '管理类别须为 重点管理、简化管理 或 登记管理', 'Management category must be key, simplified or registration');
    const address = get('address');
    if (!address) fail(row, 'address', '', '地址不能为空', 'Address is required');
    else if (address.length > 300) fail(row, 'address', address.slice(0, 50), '地址超过 300 字', 'Address longer than 300 characters');
    const coord = (f: 'longitude' | 'latitude', lo: number, hi: number) => {
      const v = get(f);
      if (!v) return null;
      const n = Number(v);
      if (!Number.isFinite(n) || n < lo || n > hi) {
        fail(row, f, v, `${f === 'longitude' ? '经度' : '纬度'}须为 ${lo}–${hi} 之间的数字`, `${f} must be a number between ${lo} and ${hi}`);
        return null;
      }
      return n;
    };
    const longitude = coord('longitude', 73, 136);
    const latitude = coord('latitude', 3, 54);
    const phone = get('contactPhone');
    if (phone && !/^[0-9+\-() ]{5,30}$/.test(phone)) fail(row, 'contactPhone', phone, '联系电话格式不正确', 'Contact phone is not a phone number');
    const legalRepresentative = get('legalRepresentative') || null;
    const contactPerson = get('contactPerson') || null;
    if ((legalRepresentative?.length ?? 0) > 50) fail(row, 'legalRepresentative', legalRepresentative!.slice(0, 20), '法定代表人超过 50 字', 'Legal representative longer than 50 characters');
    if ((contactPerson?.length ?? 0) > 50) fail(row, 'contactPerson', contactPerson!.slice(0, 20), '联系人超过 50 字', 'Contact person longer than 50 characters');
    if (badRows.size !== before || !cc.code) return;
    // Duplicates inside the file: the same site twice, or one code under two entity names.
    const siteKey = `${cc.code}\u0000${siteName}`;
    const firstSite = seenSite.get(siteKey);
    if (firstSite) {
      fail(row, 'siteName', siteName, `与第 ${firstSite} 行重复（同一信用代码和场所名称）`, `Duplicate of row ${firstSite} (same credit code and site name)`);
      return;
    }
    const firstEntity = entityNameByCode.get(cc.code);
    if (firstEntity && firstEntity.name !== entityName) {
      fail(row, 'entityName', entityName, `同一信用代码在第 ${firstEntity.row} 行的单位名称为「${firstEntity.name}」`, `Row ${firstEntity.row} gives this credit code the name "${firstEntity.name}"`);
      return;
    }
    seenSite.set(siteKey, row);
    if (!firstEntity) entityNameByCode.set(cc.code, { name: entityName, row });
    good.push({
      row,
      creditCode: cc.code,
      creditCodeRaw: cc.cleaned ? rawCode : null,
      entityName,
      legalRepresentative,
      siteName,
      regionCode,
      industryCode,
      managementCategory: category ?? null,
      address,
      longitude,
      latitude,
      contactPerson,
      contactPhone: phone || null,
    });
  });
  progress('validate', total, total);

  // Against the database: existing entities must match by name and be visible; existing sites are not duplicated.
  const codes = [...entityNameByCode.keys()];
  const existing = new Map<string, { id: string; name: string; regionCode: string }>();
  for (let i = 0; i < codes.length; i += 5000) {
    const rows = await db
      .select({ id: registryEntity.id, creditCode: registryEntity.creditCode, name: registryEntity.name, regionCode: registryEntity.regionCode })
      .from(registryEntity)
      .where(sql`${registryEntity.creditCode} = any(${sql.param(codes.slice(i, i + 5000))}::text[])`);
    for (const r of rows) existing.set(r.creditCode, r);
  }
  const existingSites = new Set<string>();
  /** entities that already own a site inside the caller's jurisdiction */
  const hasSiteInScope = new Set<string>();
  const existingIds = [...existing.values()].map((e) => e.id);
  for (let i = 0; i < existingIds.length; i += 5000) {
    const rows = await db
      .select({ entityId: registryUnit.entityId, name: registryUnit.name, regionCode: registryUnit.regionCode })
      .from(registryUnit)
      .where(sql`${registryUnit.entityId} = any(${sql.param(existingIds.slice(i, i + 5000))}::uuid[])`);
    for (const r of rows) {
      existingSites.add(`${r.entityId}\u0000${r.name}`);
      if (r.regionCode.startsWith(actor.regionPrefix)) hasSiteInScope.add(r.entityId);
    }
  }
  const accepted: GoodRow[] = [];
  for (const g of good) {
    const e = existing.get(g.creditCode);
    if (e) {
      // The same rule as reading an entity (entityScope): registered in the jurisdiction, or
      // already running a site in it. Anything else is another jurisdiction's entity, and
      // nothing about it (name, region, id) is told.
      const visible = actor.role !== 'enterprise' && (e.regionCode.startsWith(actor.regionPrefix) || hasSiteInScope.has(e.id));
      if (!visible) {
        fail(g.row, 'creditCode', g.creditCode, `统一社会信用代码 ${g.creditCode} 已由其他辖区登记，请联系其登记地生态环境部门`, `Credit code ${g.creditCode} is registered by another jurisdiction; contact the authority where it is registered`);
        continue;
      }
      if (e.name !== g.entityName) {
        fail(g.row, 'entityName', g.entityName, `统一社会信用代码 ${g.creditCode} 已登记为「${e.name}」，单位名称不一致`, `Credit code ${g.creditCode} is registered as "${e.name}"; the entity name differs`);
        continue;
      }
      if (existingSites.has(`${e.id}\u0000${g.siteName}`)) {
        fail(g.row, 'siteName', g.siteName, `「${e.name}」已有名为「${g.siteName}」的生产经营场所`, `"${e.name}" already has a site named "${g.siteName}"`);
        continue;
      }
    }
    accepted.push(g);
  }
  errors.sort((a, b) => a.row - b.row);
  const result: ImportResult = {
    mode: opts.mode,
    totalRows: total,
    goodRows: accepted.length,
    badRows: badRows.size,
    errors,
    cleanups,
    imported: 0,
    entitiesCreated: 0,
    encoding: sheet.encoding ?? null,
    warnings,
  };
  if (opts.mode === 'dry-run' || accepted.length === 0 || (opts.mode === 'all-or-nothing' && badRows.size > 0)) return result;

  const written = await bulkInsertUnits(db, clock, actor, accepted, existing, (n) => progress('write', n, accepted.length));
  result.imported = written.units;
  result.entitiesCreated = written.entities;
  progress('done', accepted.length, accepted.length);
  return result;
}

/** Insert validated rows (new entities and their sites) in one transaction, with audit events. */
export async function bulkInsertUnits(
  db: Db,
  clock: Clock,
  actor: Actor,
  rows: GoodRow[],
  existing: Map<string, { id: string }>,
  progress: (n: number) => void = () => {},
) {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const entityIds = new Map<string, string>();
    const newEntities: (typeof registryEntity.$inferInsert & { id: string; regionCode: string })[] = [];
    for (const r of rows) {
      if (entityIds.has(r.creditCode)) continue;
      const e = existing.get(r.creditCode);
      if (e) {
        entityIds.set(r.creditCode, e.id);
        continue;
      }
      const id = uuidv7();
      entityIds.set(r.creditCode, id);
      newEntities.push({ id, creditCode: r.creditCode, creditCodeRaw: r.creditCodeRaw, name: r.entityName, legalRepresentative: r.legalRepresentative, regionCode: r.regionCode, createdAt: now, updatedAt: now });
    }
    // Site numbers continue after each existing entity's highest; locks keep concurrent imports apart.
    const nextSeq = new Map<string, number>();
    const existingIds = [...new Set(rows.map((r) => existing.get(r.creditCode)?.id).filter((x): x is string => !!x))];
    for (let i = 0; i < existingIds.length; i += 5000) {
      const ids = existingIds.slice(i, i + 5000);
      await tx.execute(sql`select id from registry_entity where id in ${ids} for update`);
      const maxes = await tx
        .select({ entityId: registryUnit.entityId, m: sql<number>`max(${registryUnit.siteSeq})::int` })
        .from(registryUnit)
        .where(inArray(registryUnit.entityId, ids))
        .groupBy(registryUnit.entityId);
      for (const m of maxes) nextSeq.set(m.entityId, m.m);
    }
    // Site numbers for every row before anything is sent: nothing may throw once statements
    // are queued (see the drain below).
    const siteSeqs = rows.map((r) => {
      const entityId = entityIds.get(r.creditCode)!;
      const seq = (nextSeq.get(entityId) ?? 0) + 1;
      if (seq > 999) throw new ValidationError({ zh: `第 ${r.row} 行：一个主体最多 999 个生产经营场所`, en: `Row ${r.row}: an entity can have at most 999 sites` });
      nextSeq.set(entityId, seq);
      return seq;
    });
    // From here on statements are queued without waiting for the previous one: while the
    // database inserts one chunk, this prepares the next, yielding between chunks so the
    // connection can send what is queued. Units first; then the audit events, whose chain
    // locks are taken only when the units are in (so other audited writes in these provinces
    // wait for the audit part of the import, not for all of it).
    const sent: Promise<unknown>[] = [];
    let failed = false;
    const track = (p: Promise<unknown>) => sent.push(quiet(p.catch((err) => ((failed = true), Promise.reject(err)))));
    const yieldNow = () => new Promise((resolve) => setImmediate(resolve));
    try {
      track(
        sendBulkInsert(
          tx,
          'registry_entity',
          [['id', 'uuid'], ['credit_code', 'text'], ['credit_code_raw', 'text'], ['name', 'text'], ['legal_representative', 'text'], ['region_code', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
          newEntities.map((e) => [e.id, e.creditCode, e.creditCodeRaw, e.name, e.legalRepresentative, e.regionCode, now, now]),
        ),
      );
      const audits: AuditInput[] = newEntities.map((e) => ({ action: 'entity.create', entityType: 'entity', entityId: e.id, regionCode: e.regionCode, after: { creditCode: e.creditCode, creditCodeRaw: e.creditCodeRaw, name: e.name, source: 'import' } }));
      const UNIT_COLUMNS_SQL: [string, BulkColumnType][] = [
        ['id', 'uuid'], ['entity_id', 'uuid'], ['site_seq', 'integer'], ['name', 'text'], ['search_tokens', 'text[]'], ['region_code', 'text'],
        ['industry_code', 'text'], ['industry_edition', 'text'], ['management_category', 'text'], ['status', 'text'], ['address', 'text'],
        ['longitude', 'double precision'], ['latitude', 'double precision'], ['contact_person', 'text'], ['contact_phone', 'text'],
        ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['version', 'integer'],
      ];
      const CHUNK = 1_000;
      let written = 0;
      for (let start = 0; start < rows.length && !failed; start += CHUNK) {
        await yieldNow();
        const unitRows: unknown[][] = [];
        for (let k = start; k < Math.min(start + CHUNK, rows.length); k++) {
          const r = rows[k];
          const u = {
            id: uuidv7(),
            entityId: entityIds.get(r.creditCode)!,
            siteSeq: siteSeqs[k],
            name: r.siteName,
            regionCode: r.regionCode,
            industryCode: r.industryCode,
            industryEdition: INDUSTRY_EDITION,
            managementCategory: r.managementCategory,
            status: 'active',
            address: r.address,
            longitude: r.longitude,
            latitude: r.latitude,
            contactPerson: r.contactPerson,
            contactPhone: r.contactPhone,
            version: 1,
          };
          unitRows.push([u.id, u.entityId, u.siteSeq, u.name, unitSearchTokens(u), u.regionCode, u.industryCode, u.industryEdition, u.managementCategory, u.status, u.address, u.longitude, u.latitude, u.contactPerson, u.contactPhone, now, now, 1]);
          audits.push({ action: 'unit.import', entityType: 'unit', entityId: u.id, regionCode: u.regionCode, after: { ...u, creditCode: r.creditCode, sourceRow: r.row } });
        }
        const count = unitRows.length;
        track(sendBulkInsert(tx, 'registry_unit', UNIT_COLUMNS_SQL, unitRows).then(() => progress((written += count))));
      }
      if (!failed) {
        const audit = await openAuditWriter(tx, clock, actor, audits.map((a) => a.regionCode));
        for (let start = 0; start < audits.length && !failed; start += 2 * CHUNK) {
          if (start) await yieldNow();
          track(audit.append(audits.slice(start, start + 2 * CHUNK)));
        }
        if (!failed) track(audit.close());
      }
    } catch (err) {
      // Whatever is queued must have run (or been refused) before the transaction rolls back:
      // a statement sent after the ROLLBACK would run on its own, outside the transaction.
      await Promise.allSettled(sent);
      throw err;
    }
    await Promise.all(sent);
    return { units: rows.length, entities: newEntities.length };
  });
}


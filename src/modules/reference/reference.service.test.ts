import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { count, eq } from 'drizzle-orm';
import { createTestDatabase } from '../../../test/helpers.ts';
import type { Database } from '../../platform/db.ts';
import { fixedClock } from '../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { installErrorHandling } from '../../platform/problem.ts';
import { createReferenceService, loadReferenceData, registerReferenceRoutes, type ReferenceService } from './index.ts';
import { refDataset, refRegion } from './reference.tables.ts';

let database: Database;
let reference: ReferenceService;

beforeAll(async () => {
  database = await createTestDatabase();
  reference = createReferenceService({ db: database.db });
});
afterAll(async () => {
  await database?.close();
});

describe('loaded data', () => {
  it('has the expected counts', async () => {
    expect((await reference.listRegions()).length).toBe(3213);
    expect((await reference.listRegions({ includeHistorical: true })).length).toBe(6823);
    expect((await reference.listIndustries({ level: 'class' })).length).toBe(1381);
    expect((await reference.listIndustries()).length).toBe(1971);
    expect((await reference.listPollutants()).length).toBe(184);
    expect((await reference.listPollutants({ medium: 'water' })).length + (await reference.listPollutants({ medium: 'gas' })).length).toBe(184);
  });

  it('records each data set with edition, source, licence, checksum and row count', async () => {
    const datasets = await reference.listDatasets();
    expect(datasets.map((d) => d.name)).toEqual(['emission_limits', 'industries', 'pollutants', 'regions']);
    const byName = Object.fromEntries(datasets.map((d) => [d.name, d]));
    expect(byName.regions).toMatchObject({ edition: 'GB/T 2260 1981–2024 (民政部)', licence: 'CC0-1.0', rowCount: 6823 });
    expect(byName.industries).toMatchObject({ edition: 'GB/T 4754-2017', rowCount: 1971 });
    expect(byName.industries.licence).toMatch(/^MIT/);
    expect(byName.pollutants).toMatchObject({ edition: 'HJ 212-2017 Appendix B', rowCount: 184 });
    expect(byName.emission_limits.edition).toContain('GB 13271-2014');
    for (const d of datasets) {
      expect(d.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(d.loadedAt).toBeInstanceOf(Date);
    }
  });
});

describe('regions', () => {
  it('resolves a withdrawn code to the code that replaced it: 110103 崇文区 → 110101 东城区', async () => {
    const r = await reference.resolveRegion('110103');
    expect(r).toMatchObject({ code: '110103', name: '崇文区', current: false, status: 'withdrawn', validFromYear: 1981, validToYear: 2010, successors: ['110101'] });
    expect(r!.path.map((p) => p.name)).toEqual(['北京市', '崇文区']);
    expect(await reference.regionName('110101')).toBe('东城区');
  });

  it('follows successors through several changes', async () => {
    // 130122 获鹿县 (1983–1994) → 130185 鹿泉市 (1994–2014) → 130110 鹿泉区
    expect((await reference.resolveRegion('130122'))?.successors).toEqual(['130110']);
    // 132131 武安县 (邯郸地区) → 130422 武安县 → 139001 武安市 (省直辖) → 130481 武安市
    expect((await reference.resolveRegion('132131'))?.successors).toEqual(['130481']);
    // split on withdrawal; the part that moved in 1996 ([1996]) is not where the code went in 2021
    expect((await reference.resolveRegion('330104'))?.successors).toEqual(['330102', '330114']);
  });

  it('handles a reused code, with and without a year', async () => {
    const now = await reference.resolveRegion('120110');
    expect(now).toMatchObject({ name: '东丽区', current: true, status: 'in_use', validFromYear: 1992, successors: ['120110'] });
    expect(now!.path).toEqual([{ code: '120000', name: '天津市' }, { code: '120110', name: '东丽区' }]);
    const old = await reference.resolveRegion('120110', 1985);
    expect(old).toMatchObject({ name: '东郊区', current: false, status: 'changed', validFromYear: 1981, validToYear: 1992, successors: ['120110'] });
    expect((await reference.resolveRegion('120110', 1992))?.name).toBe('东丽区');
    expect(await reference.resolveRegion('120110', 1970)).toBeUndefined();
  });

  it('a code out of use and later reused for another place is not chained to it', async () => {
    // 511400 涪陵市 1995–1997 (then 重庆), code reused for 眉山市 from 2000
    expect((await reference.resolveRegion('511400', 1996))?.successors).toEqual([]);
    expect((await reference.resolveRegion('511400'))?.name).toBe('眉山市');
  });

  it('getRegion gives the current record, or the latest with its resolution and history', async () => {
    const cur = await reference.getRegion('330106');
    expect(cur).toMatchObject({ name: '西湖区', current: true, prefectureName: '杭州市' });
    expect(cur.path.map((p) => p.code)).toEqual(['330000', '330100', '330106']);
    const old = await reference.getRegion('110103');
    expect(old).toMatchObject({ name: '崇文区', current: false });
    expect(old.resolution.successors).toEqual(['110101']);
    expect((await reference.getRegion('120110')).history.map((h) => h.name)).toEqual(['东丽区', '东郊区']);
    await expect(reference.getRegion('999999')).rejects.toBeInstanceOf(NotFoundError);
    expect(await reference.resolveRegion('999999')).toBeUndefined();
  });

  it('isKnownRegion and regionName', async () => {
    expect(await reference.isKnownRegion('330106')).toBe(true);
    expect(await reference.isKnownRegion('110103')).toBe(false);
    expect(await reference.isKnownRegion('110103', { allowHistorical: true })).toBe(true);
    expect(await reference.isKnownRegion('999999', { allowHistorical: true })).toBe(false);
    expect(await reference.regionName('110103')).toBe('崇文区');
    expect(await reference.regionName('999999')).toBeUndefined();
  });

  it('lists provinces, a province, a city, Beijing and a province with 省直辖县', async () => {
    const provinces = await reference.listRegions({ parent: '' });
    expect(provinces).toHaveLength(34);
    expect(provinces[0]).toMatchObject({ code: '110000', name: '北京市' });

    const zhejiang = await reference.listRegions({ parent: '33' });
    expect(zhejiang.map((r) => r.name)).toEqual(['杭州市', '宁波市', '温州市', '嘉兴市', '湖州市', '绍兴市', '金华市', '衢州市', '舟山市', '台州市', '丽水市']);
    expect(await reference.listRegions({ parent: '330000' })).toEqual(zhejiang);

    const hangzhou = await reference.listRegions({ parent: '3301' });
    expect(hangzhou).toHaveLength(13);
    expect(hangzhou.every((r) => r.level === 'county' && r.code.startsWith('3301'))).toBe(true);
    expect(hangzhou.map((r) => r.code)).toContain('330106');

    // 直辖市: no prefecture record, the districts sit right under the province
    const beijing = await reference.listRegions({ parent: '11' });
    expect(beijing).toHaveLength(16);
    expect(beijing[0]).toMatchObject({ code: '110101', name: '东城区', level: 'county' });
    expect(await reference.listRegions({ parent: '1101' })).toEqual(beijing);

    // 湖北: 13 prefecture-level + 4 省直辖县级 (仙桃, 潜江, 天门, 神农架)
    const hubei = await reference.listRegions({ parent: '42' });
    expect(hubei.filter((r) => r.level === 'prefecture')).toHaveLength(13);
    expect(hubei.filter((r) => r.level === 'county').map((r) => r.code)).toEqual(['429004', '429005', '429006', '429021']);

    // search, within a parent or everywhere; history on request
    expect((await reference.listRegions({ parent: '33', q: '西湖' })).map((r) => r.code)).toEqual(['330106']);
    expect((await reference.listRegions({ q: '崇文' })).length).toBe(0);
    expect((await reference.listRegions({ q: '崇文', includeHistorical: true })).map((r) => r.code)).toEqual(['110103']);
    expect((await reference.listRegions({ parent: '11', includeHistorical: true })).some((r) => r.code === '110103')).toBe(true);
    await expect(reference.listRegions({ parent: '3' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('industries', () => {
  it('4411 火力发电: section → division → group → class', async () => {
    expect((await reference.industryPath('4411')).map((i) => `${i.code} ${i.name}`)).toEqual(['D 电力、热力、燃气及水生产和供应业', '44 电力、热力生产和供应业', '441 电力生产', '4411 火力发电']);
    const i = await reference.getIndustry('441');
    expect(i.children.map((c) => c.code)).toContain('4411');
    expect(await reference.industryPath('9999')).toEqual([]);
    await expect(reference.getIndustry('9999')).rejects.toBeInstanceOf(NotFoundError);
    await expect(reference.getIndustry('4411', 'GB/T 4754-2011')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('isIndustryClass only for 4-digit classes', async () => {
    expect(await reference.isIndustryClass('4411')).toBe(true);
    expect(await reference.isIndustryClass('9700')).toBe(true);
    expect(await reference.isIndustryClass('441')).toBe(false);
    expect(await reference.isIndustryClass('D')).toBe(false);
    expect(await reference.isIndustryClass('0000')).toBe(false);
  });

  it('lists by parent, level and text', async () => {
    expect((await reference.listIndustries({ level: 'section' })).map((i) => i.code).join('')).toBe('ABCDEFGHIJKLMNOPQRST');
    expect((await reference.listIndustries({ parent: 'D' })).map((i) => i.code)).toEqual(['44', '45', '46']);
    expect((await reference.listIndustries({ parent: '441' })).map((i) => i.code)).toContain('4412');
    expect((await reference.listIndustries({ q: '火力发电' })).map((i) => `${i.code} ${i.name}`)).toEqual(['4411 火力发电', '4871 火力发电工程施工']);
    expect((await reference.listIndustries({ q: '4411' })).map((i) => i.code)).toEqual(['4411']);
    expect((await reference.listIndustries({ parent: 'D', q: '发电' })).every((i) => i.code.startsWith('44'))).toBe(true);
    // half-width brackets find full-width names
    expect((await reference.listIndustries({ q: '皮箱、包(袋)制造' })).length).toBeGreaterThan(0);
  });
});

describe('pollutants and limits', () => {
  it('finds pollutants by code, name and alias', async () => {
    expect((await reference.listPollutants({ q: 'COD' })).map((p) => p.code)).toContain('w01018');
    expect((await reference.listPollutants({ q: '化学需氧量' }))[0]).toMatchObject({ code: 'w01018', medium: 'water' });
    expect((await reference.getPollutant('a00000')).medium).toBe('gas');
  });

  it('parses limit directions', async () => {
    const all = await reference.listEmissionLimits();
    expect(all).toHaveLength(104);
    expect(all[0]).toMatchObject({ id: 1, standard: 'GB 13271-2014', direction: 'max', limitValue: 80, limitText: '80', unit: 'mg/m3' });
    expect(all.find((l) => l.limitText === '<=1')).toMatchObject({ direction: 'max', limitValue: 1, limitHigh: null });
    expect(all.find((l) => l.limitText === '6-9')).toMatchObject({ direction: 'range', limitValue: 6, limitHigh: 9 });
    expect(all.filter((l) => l.direction === 'text').every((l) => l.limitValue === null && l.limitHigh === null)).toBe(true);
    expect(all.filter((l) => l.pollutantCode !== null).length).toBeGreaterThan(0);

    const boiler = await reference.listEmissionLimits({ standard: 'GB 13271-2014' });
    expect(boiler.length).toBe(39);
    expect(await reference.listEmissionLimits({ standard: 'GB 0-0000' })).toEqual([]);
  });

  it('lists standards with reference O2', async () => {
    const standards = await reference.listStandards();
    expect(standards.map((s) => s.standard)).toContain('GB 18918-2002');
    const boiler = standards.find((s) => s.standard === 'GB 13271-2014')!;
    expect(boiler.limitCount).toBe(39);
    expect(boiler.referenceOxygen.map((o) => o.percent)).toEqual([9, 3.5]);
  });
});

describe('lookup (synchronous snapshot)', () => {
  it('answers like the service', async () => {
    const l = await reference.lookup();
    expect(l.isKnownRegion('110101')).toBe(true);
    expect(l.isKnownRegion('110103')).toBe(false);
    expect(l.isKnownRegion('110103', { allowHistorical: true })).toBe(true);
    expect(l.resolveRegion('110103')?.successors).toEqual(['110101']);
    expect(l.resolveRegion('120110', 1985)?.name).toBe('东郊区');
    expect(l.regionName('330106')).toBe('西湖区');
    expect(l.isIndustryClass('4411')).toBe(true);
    expect(l.isIndustryClass('441')).toBe(false);
    expect(l.industryName('4411')).toBe('火力发电');
    expect(l.industryName('9999')).toBeUndefined();
  });
});

describe('loading', () => {
  it('is unchanged the second time, reloads with force, and the cache follows the reload', async () => {
    const clock = fixedClock('2026-01-02T03:04:05Z');
    const t0 = performance.now();
    const again = await loadReferenceData(database.db, { clock });
    const unchangedMs = performance.now() - t0;
    expect(again.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(again.find((r) => r.name === 'regions')?.rows).toBe(6823);

    // someone edits a row; a forced load puts the source back and services see it
    await database.db.update(refRegion).set({ name: '改过的名字' }).where(eq(refRegion.code, '110101'));
    reference.invalidate();
    expect(await reference.regionName('110101')).toBe('改过的名字');
    const t1 = performance.now();
    const forced = await loadReferenceData(database.db, { clock, force: true });
    const forcedMs = performance.now() - t1;
    expect(forced.map((r) => r.action)).toEqual(['loaded', 'loaded', 'loaded', 'loaded']);
    expect(await reference.regionName('110101')).toBe('东城区');
    const [{ n }] = await database.db.select({ n: count() }).from(refRegion);
    expect(n).toBe(6823);
    const [regions] = await database.db.select().from(refDataset).where(eq(refDataset.name, 'regions'));
    expect(regions.loadedAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    console.log(`reference data on ${database.kind}: unchanged ${unchangedMs.toFixed(0)} ms, forced load ${forcedMs.toFixed(0)} ms`);
  });
});

describe('routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandling(app);
    await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 't', version: '0' } }, transform: jsonSchemaTransform });
    registerReferenceRoutes(app, { reference });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('lists data sets', async () => {
    const res = await get('/api/reference/datasets');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(4);
    expect(body.items[0].loadedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('lists regions by parent, with search and history', async () => {
    expect((await get('/api/reference/regions?parent=')).json().items).toHaveLength(34);
    expect((await get('/api/reference/regions?parent=11')).json().items).toHaveLength(16);
    expect((await get(`/api/reference/regions?q=${encodeURIComponent('崇文')}&includeHistorical=true`)).json().items.map((r: any) => r.code)).toEqual(['110103']);
    expect((await get(`/api/reference/regions?q=${encodeURIComponent('崇文')}&includeHistorical=false`)).json().items).toEqual([]);
    const bad = await get('/api/reference/regions?parent=3');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  it('shows a region with the resolution of an old code', async () => {
    const res = await get('/api/reference/regions/110103');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ code: '110103', name: '崇文区', current: false, resolution: { successors: ['110101'] } });
    const old = (await get('/api/reference/regions/120110?atYear=1985')).json();
    expect(old).toMatchObject({ name: '东郊区', resolution: { name: '东郊区', successors: ['120110'] } });
    expect((await get('/api/reference/regions/120110?atYear=1970')).statusCode).toBe(404);
  });

  it('rejects malformed codes with 400 and unknown ones with 404 problem+json', async () => {
    for (const code of ['11010', 'abcdef', '1101031']) {
      const res = await get(`/api/reference/regions/${code}`);
      expect(res.statusCode, code).toBe(400);
    }
    const res = await get('/api/reference/regions/999999');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('NOT_FOUND');
    expect((await get('/api/reference/industries/9999')).statusCode).toBe(404);
    expect((await get('/api/reference/industries/x')).statusCode).toBe(400);
  });

  it('industries, pollutants, limits, standards', async () => {
    const i = (await get('/api/reference/industries/4411')).json();
    expect(i.path.map((p: any) => p.code)).toEqual(['D', '44', '441', '4411']);
    expect((await get('/api/reference/industries?parent=D')).json().items.map((x: any) => x.code)).toEqual(['44', '45', '46']);
    expect((await get('/api/reference/industries?level=class')).json().items).toHaveLength(1381);
    expect((await get('/api/reference/industries?level=bogus')).statusCode).toBe(400);
    expect((await get('/api/reference/pollutants?medium=gas')).json().items).toHaveLength(121);
    expect((await get('/api/reference/pollutants?medium=air')).statusCode).toBe(400);
    const limits = (await get(`/api/reference/limits?standard=${encodeURIComponent('GB 18918-2002')}`)).json().items;
    expect(limits).toHaveLength(48);
    expect(limits.find((l: any) => l.limitText === '6-9')).toMatchObject({ direction: 'range', limitValue: 6, limitHigh: 9 });
    expect((await get('/api/reference/standards')).json().items.length).toBe(4);
  });

  it('documents every route under the reference tag', () => {
    const doc = app.swagger() as any;
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/reference'));
    expect(paths.length).toBe(8);
    for (const p of paths) expect(doc.paths[p].get.tags).toEqual(['reference']);
  });
});

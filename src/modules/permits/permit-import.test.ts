// Importing the national platform's listings and permit pages on a real database: every bad row
// reported, dry runs write nothing, all-or-nothing unless good-only, duplicates merged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { cliActor } from '../../platform/actor.ts';
import { makeCreditCode } from '../registry/index.ts';
import { importPermits } from './permit-import.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>;
const cc1 = makeCreditCode('91330106MA5HMP001');
const cc2 = makeCreditCode('91330106MA5HMP002');
const stranger = makeCreditCode('91330106MA5HMP099');
const csv = (lines: string[]) => ({ data: Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8'), filename: 'platform.csv' });
const run = (file: { data: Buffer; filename: string }, opts: { dryRun?: boolean; goodOnly?: boolean } = {}) =>
  importPermits({ db: t.database.db, clock: t.clock, registry: t.services.registry, permits: t.services.permits, reference: t.services.reference }, cliActor('import-test'), file, { dryRun: !!opts.dryRun, goodOnly: !!opts.goodOnly });

const LISTING = [
  '许可证编号,单位名称,省份/地市,行业类别,有效期限,发证日期,管理类别',
  ` ${cc1.toLowerCase()}001p ,导入测试热电有限公司,浙江省/杭州市,4411 火力发电,2021-03-01至2026-02-28,2021-03-01,重点管理`,
  `${cc1}001P,导入测试热电有限公司,浙江省/杭州市,火力发电,2021-03-01至2026-02-28,2021-03-01,重点管理`,
  `${cc2}001X,导入测试污水处理有限公司,浙江省/杭州市,污水处理及其再生利用,2022-05-10至2027-05-09,2022-05-10,简化管理`,
  `${cc1}002Q,导入测试热电有限公司二厂,浙江省/杭州市,4411,2023-01-01至2022-12-31,2023-01-01,重点管理`,
  `${stranger}001P,不在名录的公司,浙江省/杭州市,4411,2021-01-01至2025-12-31,2021-01-01,重点管理`,
  `${cc2}002P,导入测试污水处理有限公司二厂,浙江省/杭州市,4620,2021-01-01至2025-12-31,2021-01-01,登记管理`,
];

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('import-hz', 'municipal_permit', '3301');
  hz = await login(t.app, 'import-hz');
  for (const [cc, name, industry, sites] of [[cc1, '导入测试热电有限公司', '4411', 2], [cc2, '导入测试污水处理有限公司', '4620', 1]] as const) {
    let entityId: string | undefined;
    for (let i = 1; i <= sites; i++) {
      const payload = { ...(entityId ? { entityId } : { entity: { creditCode: cc, name, regionCode: '330106' } }), name: i === 1 ? name : `${name}二厂`, regionCode: '330106', industryCode: industry, managementCategory: 'key', address: '浙江省杭州市' };
      const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload });
      expect(res.statusCode, res.body).toBe(201);
      entityId = res.json().entityId;
    }
  }
});
afterAll(() => t?.close());

describe('importing the platform listing', () => {
  it('a dry run reports every bad row with its column and code, and writes nothing', async () => {
    const r = await run(csv(LISTING), { dryRun: true });
    expect(r).toMatchObject({ kind: 'listing', rows: 6, accepted: 3, rejected: 3, duplicates: 1, written: false, permitsCreated: 0 });
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.column, i.code]);
    expect(errors).toEqual([
      [5, '有效期限', 'BAD_VALIDITY'],
      [6, '许可证编号', 'UNIT_NOT_FOUND'],
      [7, '管理类别', 'REGISTRATION_NOT_PERMIT'],
    ]);
    // the odd number is read, not refused: its clean-ups are notices
    expect(r.issues.some((i) => i.row === 2 && i.severity !== 'error')).toBe(true);
    expect(r.issues.some((i) => i.row === 3 && i.code === 'DUPLICATE_ROW')).toBe(true);
    expect(r.issues.find((i) => i.row === 4 && i.code === 'CATEGORY_DIFFERS')).toBeDefined();
    expect((await t.app.inject({ url: '/api/permits', headers: hz })).json().total).toBe(0);
  });

  it('writes all or nothing: with bad rows, nothing unless the good rows alone are asked for', async () => {
    expect(await run(csv(LISTING))).toMatchObject({ written: false, permitsCreated: 0 });
    expect((await t.app.inject({ url: '/api/permits', headers: hz })).json().total).toBe(0);
    const r = await run(csv(LISTING), { goodOnly: true });
    expect(r).toMatchObject({ written: true, permitsCreated: 2 });
    const list = (await t.app.inject({ url: '/api/permits', headers: hz })).json();
    expect(list.items.map((p: { permitNumber: string }) => p.permitNumber).sort()).toEqual([`${cc1}001P`, `${cc2}001X`].sort());
    // the platform's letter is kept as issued
    expect(list.items.find((p: { permitNumber: string }) => p.permitNumber.endsWith('X'))).toMatchObject({ validFrom: '2022-05-10', validTo: '2027-05-09', managementCategory: 'simplified' });
  });

  it('two numbers for one site, or a number whose site sequence names no site, are errors', async () => {
    const r = await run(csv([LISTING[0], `${cc1}002P,,,,2024-01-01至2028-12-31,2024-01-01,重点管理`, `${cc1}002Q,,,,2024-01-01至2028-12-31,2024-01-01,重点管理`, `${cc2}007P,,,,2024-01-01至2028-12-31,2024-01-01,重点管理`]), { dryRun: true });
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code])).toEqual([
      [3, 'SITE_TWICE'],
      [4, 'UNIT_NOT_FOUND'],
    ]);
  });

  it('a second import merges what is known instead of creating it again', async () => {
    const r = await run(csv(LISTING.slice(0, 4)), { goodOnly: true });
    expect(r).toMatchObject({ rows: 3, accepted: 3, rejected: 0, duplicates: 3, permitsCreated: 0 });
    expect(r.issues.filter((i) => i.code === 'ALREADY_KNOWN')).toHaveLength(2);
    expect((await t.app.inject({ url: '/api/permits', headers: hz })).json().total).toBe(2);
  });
});

describe('a permit the platform renumbered', () => {
  it('takes the new number in a new version; the history links both numbers', async () => {
    const listing = [LISTING[0], `${cc2}001Z,导入测试污水处理有限公司,浙江省/杭州市,4620,2022-05-10至2027-05-09,2024-08-01,简化管理`];
    const dry = await run(csv(listing), { dryRun: true });
    expect(dry).toMatchObject({ accepted: 1, rejected: 0, written: false });
    expect(dry.issues.find((i) => i.code === 'NUMBER_CHANGED')).toMatchObject({ row: 2, severity: 'warning' });
    const r = await run(csv(listing));
    expect(r).toMatchObject({ written: true, permitsCreated: 0, versionsAdded: 1 });
    const found = (await t.app.inject({ url: `/api/permits?number=${cc2}001Z`, headers: hz })).json().items;
    expect(found).toHaveLength(1);
    const versions = (await t.app.inject({ url: `/api/permits/${found[0].id}/versions`, headers: hz })).json().items;
    expect(versions.map((v: { permitNumber: string }) => v.permitNumber)).toEqual([`${cc2}001X`, `${cc2}001Z`]);
    const cmp = (await t.app.inject({ url: `/api/permits/${found[0].id}/compare?from=1&to=2`, headers: hz })).json();
    expect(cmp.permitNumbers).toEqual({ from: `${cc2}001X`, to: `${cc2}001Z` });
    // searching by the old number still finds the permit, under its new number
    expect((await t.app.inject({ url: `/api/permits?number=${cc2}001X`, headers: hz })).json().items.map((p: { permitNumber: string }) => p.permitNumber)).toEqual([`${cc2}001Z`]);
  });
});

describe('importing permit pages (outlets, pollutants, standards as written)', () => {
  const DETAIL = [
    '许可证编号,版本日期,排放口编号,排放口名称,排放口类型,经度,纬度,排气筒高度,受纳水体,污染物种类,执行标准,许可排放浓度限值,单位',
    `${cc1}001P,2021-03-01,DA001,1#锅炉烟囱,主要排放口,120°07′24.44″,30°15′00″,80,,颗粒物,《锅炉大气污染物排放标准》GB13271-2014,≤50,mg/m³`,
    `${cc1}001P,2021-03-01,DA001,1#锅炉烟囱,主要排放口,120°07′24.44″,30°15′00″,80,,二氧化硫,GB 13271—2014,300,mg/m3`,
    `${cc1}001P,2021-03-01,DW001,废水总排口,一般排放口,120.1235,30.2501,,钱塘江,pH值,GB 8978-1996,6-9,无量纲`,
    `${cc1}001P,2023-06-01,DA001,1#锅炉烟囱,主要排放口,120.123456,30.25,80,,颗粒物,GB13271-2014,30,mg/m3`,
    `${cc1}001P,2023-06-01,DA001,1#锅炉烟囱,主要排放口,120.123456,30.25,80,,二氧化硫,GB13271-2014,/,mg/m3`,
    `${cc1}001P,2024-01-01,DA002,2#锅炉烟囱,主要排放口,东经120度,30.25,80,,颗粒物,GB13271-2014,30,mg/m3`,
    `${cc2}001X,,DW001,总排口,主要排放口,120.2,30.3,,钱塘江,神秘物质,GB 18918-2002,50,mg/L`,
  ];

  it('reports bad rows, and with good-only adds one version per version date', async () => {
    const dry = await run(csv(DETAIL), { dryRun: true });
    expect(dry).toMatchObject({ kind: 'detail', rows: 7, rejected: 2, written: false });
    expect(dry.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.column, i.code])).toEqual([
      [7, '经度', 'BAD_COORDINATE'],
      [8, '污染物种类', 'UNKNOWN_POLLUTANT'],
    ]);
    expect(dry.issues.some((i) => i.code === 'STANDARD_NORMALISED' && i.row === 2)).toBe(true);
    const r = await run(csv(DETAIL), { goodOnly: true });
    // the 2024 page had a bad row: not imported at all (its good rows alone would drop DA001)
    expect(r).toMatchObject({ written: true, versionsAdded: 2 });
    const list = (await t.app.inject({ url: `/api/permits?number=${cc1}001P`, headers: hz })).json();
    const id = list.items[0].id;
    const versions = (await t.app.inject({ url: `/api/permits/${id}/versions`, headers: hz })).json().items;
    expect(versions.map((v: { reason: string; issuedOn: string }) => [v.reason, v.issuedOn])).toEqual([
      ['import', '2021-03-01'],
      ['import', '2021-03-01'],
      ['import', '2023-06-01'],
    ]);
    const v2 = (await t.app.inject({ url: `/api/permits/${id}/versions/2`, headers: hz })).json().content;
    expect(v2.outlets.map((o: { code: string }) => o.code)).toEqual(['DA001', 'DW001']);
    expect(v2.outlets[0]).toMatchObject({ longitude: 120.123456, latitude: 30.25, heightM: 80, kind: 'main' });
    expect(v2.outlets[0].pollutants.map((p: { standard: string; limit: unknown }) => [p.standard, p.limit])).toEqual([
      ['GB 13271-2014', { direction: 'max', value: 50, unit: 'mg/m3' }],
      ['GB 13271-2014', { direction: 'max', value: 300, unit: 'mg/m3' }],
    ]);
    expect(v2.outlets[1].pollutants[0].limit).toEqual({ direction: 'range', low: 6, high: 9, unit: 'pH' });
    const v3 = (await t.app.inject({ url: `/api/permits/${id}/versions/3`, headers: hz })).json().content;
    // "/" is no limit: missing, never zero
    expect(v3.outlets[0].pollutants[1]).toEqual({ pollutantCode: 'a21026', standard: 'GB 13271-2014' });
    // the comparison shows what the platform changed between its versions
    const cmp = (await t.app.inject({ url: `/api/permits/${id}/compare?from=2&to=3`, headers: hz })).json();
    expect(cmp.changes.length).toBeGreaterThan(0);
  });

  it('importing the same pages again adds nothing', async () => {
    const r = await run(csv(DETAIL.slice(0, 6)), { goodOnly: true });
    expect(r).toMatchObject({ rejected: 0, versionsAdded: 0 });
    expect(r.duplicates).toBeGreaterThan(0);
  });

  it('a file without the required columns is refused with their names', async () => {
    await expect(run(csv(['许可证编号,单位名称', `${cc1}001P,x`]))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { missing: ['有效期限', '管理类别'] } });
  });
});

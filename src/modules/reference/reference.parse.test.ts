import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  REFERENCE_DATA_DIR,
  parseCodeList,
  parseCsv,
  parseEmissionLimits,
  parseIndustries,
  parseLimit,
  parsePollutants,
  parseRegionHistoryCsv,
  parseSuccessors,
  standardsOf,
} from './reference.loader.ts';
import { displayWidth, formatTable } from './reference.cli.ts';

const HEADER = '\uFEFF代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码\n';

describe('parseCsv', () => {
  it.each([
    ['a,b\r\nc,d\r\n', [['a', 'b'], ['c', 'd']]],
    ['\uFEFFa,b\nc,d', [['a', 'b'], ['c', 'd']]],
    ['a,"b,c"\n"say ""hi""",\n\n', [['a', 'b,c'], ['say "hi"', '']]],
    ['a,,\n', [['a', '', '']]],
  ])('%j', (text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });
});

describe('parseSuccessors', () => {
  it.each([
    ['', []],
    ['110101', [{ code: '110101' }]],
    ['330102[1996];330102;330114', [{ code: '330102', year: 1996 }, { code: '330102' }, { code: '330114' }]],
  ])('%j', (value, out) => {
    expect(parseSuccessors(value)).toEqual(out);
  });
  it('rejects garbage', () => {
    expect(() => parseSuccessors('11010')).toThrow(/bad successor/);
    expect(() => parseSuccessors('110101[96]')).toThrow(/bad successor/);
  });
});

describe('parseRegionHistoryCsv', () => {
  it('maps levels, statuses, years, successors; strips the BOM; 直辖 → no prefecture', () => {
    const rows = parseRegionHistoryCsv(
      HEADER +
        '110000,北京市,,北京市,省级,在用,1981,,\n' +
        '110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101\n' +
        '120110,天津市,直辖,东郊区,县级,变更,1981,1992,120110\n' +
        '330100,浙江省,杭州市,杭州市,地级,在用,1981,,\n' +
        '330104,浙江省,杭州市,江干区,县级,弃用,1983,2021,330102[1996];330102;330114\n',
    );
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ code: '110000', level: 'province', status: 'in_use', current: true, validToYear: null, provinceName: '北京市', prefectureName: null, successors: [] });
    expect(rows[1]).toMatchObject({ code: '110103', name: '崇文区', level: 'county', status: 'withdrawn', current: false, validFromYear: 1981, validToYear: 2010, prefectureName: null, successors: [{ code: '110101' }] });
    expect(rows[2]).toMatchObject({ status: 'changed', successors: [{ code: '120110' }] });
    expect(rows[3]).toMatchObject({ level: 'prefecture', prefectureName: '杭州市' });
    expect(rows[4].successors).toEqual([{ code: '330102', year: 1996 }, { code: '330102' }, { code: '330114' }]);
  });

  it.each([
    ['bad header', '代码,名称\n110000,北京市\n', /unexpected header/],
    ['level', HEADER + '110000,北京市,,北京市,国级,在用,1981,,\n', /unknown level/],
    ['status', HEADER + '110000,北京市,,北京市,省级,启用,1981,,\n', /unknown status/],
    ['code', HEADER + '11000,北京市,,北京市,省级,在用,1981,,\n', /bad code/],
    ['in use with an end year', HEADER + '110000,北京市,,北京市,省级,在用,1981,2000,\n', /status/],
    ['withdrawn without an end year', HEADER + '110103,北京市,直辖,崇文区,县级,弃用,1981,,\n', /status/],
  ])('rejects %s', (_name, text, error) => {
    expect(() => parseRegionHistoryCsv(text)).toThrow(error);
  });

  it('reads the shipped file: 6,823 records, 3,213 in use = the 2024 list', () => {
    const rows = parseRegionHistoryCsv(readFileSync(`${REFERENCE_DATA_DIR}/admin-divisions-gbt2260/areacodes_history_1981_2024.csv`, 'utf8'));
    expect(rows).toHaveLength(6823);
    const current = rows.filter((r) => r.current);
    expect(current).toHaveLength(3213);
    const list = parseCodeList(readFileSync(`${REFERENCE_DATA_DIR}/admin-divisions-gbt2260/areacodes_2024.txt`, 'utf8'));
    expect(list.size).toBe(3213);
    expect(current.every((r) => list.get(r.code) === r.name)).toBe(true);
    expect(new Set(rows.map((r) => `${r.code}/${r.validFromYear}`)).size).toBe(6823); // the primary key holds
    expect(rows.filter((r) => r.code === '120110').map((r) => r.name).sort()).toEqual(['东丽区', '东郊区']);
  });
});

describe('parseLimit', () => {
  it.each([
    [80, { direction: 'max', limitValue: 80, limitHigh: null, limitText: '80' }],
    [0.05, { direction: 'max', limitValue: 0.05, limitHigh: null, limitText: '0.05' }],
    [0, { direction: 'max', limitValue: 0, limitHigh: null, limitText: '0' }],
    ['<=1', { direction: 'max', limitValue: 1, limitHigh: null, limitText: '<=1' }],
    ['≤ 1.5', { direction: 'max', limitValue: 1.5, limitHigh: null, limitText: '≤ 1.5' }],
    ['30', { direction: 'max', limitValue: 30, limitHigh: null, limitText: '30' }],
    ['>=850', { direction: 'min', limitValue: 850, limitHigh: null, limitText: '>=850' }],
    ['6-9', { direction: 'range', limitValue: 6, limitHigh: 9, limitText: '6-9' }],
    ['6~9', { direction: 'range', limitValue: 6, limitHigh: 9, limitText: '6~9' }],
    ['6.5～8.5', { direction: 'range', limitValue: 6.5, limitHigh: 8.5, limitText: '6.5～8.5' }],
    ['9-6', { direction: 'text', limitValue: null, limitHigh: null, limitText: '9-6' }],
    ['不得检出', { direction: 'text', limitValue: null, limitHigh: null, limitText: '不得检出' }],
    ['1000 (个/L)', { direction: 'text', limitValue: null, limitHigh: null, limitText: '1000 (个/L)' }],
    // a missing limit stays missing, never 0
    [null, { direction: 'text', limitValue: null, limitHigh: null, limitText: '' }],
    [undefined, { direction: 'text', limitValue: null, limitHigh: null, limitText: '' }],
    [Number.NaN, { direction: 'text', limitValue: null, limitHigh: null, limitText: '' }],
  ])('%j', (limit, out) => {
    expect(parseLimit(limit)).toEqual(out);
  });
});

describe('the shipped JSON files', () => {
  const read = (f: string) => JSON.parse(readFileSync(`${REFERENCE_DATA_DIR}/${f}`, 'utf8'));

  it('emission limits: one row per entry, id = index + 1, directions parsed, hj212 code kept', () => {
    const json = read('emission-limits/emission-limits.json');
    const rows = parseEmissionLimits(json);
    expect(rows).toHaveLength(json.limits.length);
    expect(rows.map((r) => r.id)).toEqual(json.limits.map((_: unknown, i: number) => i + 1));
    const ringelmann = rows.find((r) => r.limitText === '<=1')!;
    expect(ringelmann).toMatchObject({ direction: 'max', limitValue: 1, unit: 'grade' });
    expect(rows.find((r) => r.limitText === '6-9')).toMatchObject({ direction: 'range', limitValue: 6, limitHigh: 9 });
    expect(rows.every((r) => r.direction !== 'max' || typeof r.limitValue === 'number')).toBe(true);
    const withCode = json.limits.findIndex((l: any) => l.hj212_code);
    expect(rows[withCode].pollutantCode).toBe(json.limits[withCode].hj212_code);
    expect(rows.every((r) => typeof r.source === 'string')).toBe(true);
    expect(standardsOf(rows)).toContain('GB 13271-2014');
  });

  it('pollutants: 184 codes with medium', () => {
    const rows = parsePollutants(read('hj212/hj212-codes.json'));
    expect(rows).toHaveLength(184);
    expect(new Set(rows.map((r) => r.code)).size).toBe(184);
    expect(rows.find((r) => r.code === 'w01018')).toMatchObject({ name: '化学需氧量', medium: 'water', code2005: '011', alias: 'COD' });
    expect(rows.find((r) => r.code === 'a00000')).toMatchObject({ medium: 'gas' });
  });

  it('industries: 1,971 codes, 1,381 classes', () => {
    const rows = parseIndustries(read('industry-gbt4754-2017/industries.json'));
    expect(rows).toHaveLength(1971);
    expect(rows.filter((r) => r.level === 'class')).toHaveLength(1381);
    expect(rows.every((r) => r.edition === 'GB/T 4754-2017')).toBe(true);
    expect(() => parseIndustries([{ code: 'A', name: 'x', level: 'sector' }])).toThrow(/bad record/);
  });
});

describe('CLI table formatting', () => {
  it.each([
    ['abc', 3],
    ['北京市', 6],
    ['（3D）打印', 10],
    ['A、B', 4],
    ['e\u0301', 1],
    ['', 0],
  ])('displayWidth(%j) = %d', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });

  it('aligns columns holding Chinese text', () => {
    const lines = formatTable(['code', 'name', 'level'], [['110000', '北京市', 'province'], ['110101', '东城区', 'county'], ['429021', '神农架林区', 'county']]);
    expect(lines).toEqual([
      'code    name        level',
      '------  ----------  --------',
      '110000  北京市      province',
      '110101  东城区      county',
      '429021  神农架林区  county',
    ]);
  });

  it('right-aligns number columns and leaves blanks blank', () => {
    expect(formatTable(['name', 'rows', 'note'], [['regions', 6823, null], ['pollutants', 184, '（HJ 212）']])).toEqual([
      'name        rows  note',
      '----------  ----  ----------',
      'regions     6823',
      'pollutants   184  （HJ 212）',
    ]);
  });
});

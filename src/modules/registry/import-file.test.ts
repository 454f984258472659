import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { ImportFileError, mapHeaders, parseImportFile, writeCsv, writeXlsx, type ParsedSheet } from './import-file.ts';
import { AppError } from '../../platform/errors.ts';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Runs `p` and returns the ImportFileError it rejects with (fails the test otherwise). */
async function importError(p: Promise<unknown>): Promise<ImportFileError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ImportFileError);
    return e as ImportFileError;
  }
  throw new Error('expected an ImportFileError');
}

const values = (s: ParsedSheet) => s.rows.map((r) => r.values);

describe('parseImportFile — CSV encodings', () => {
  const text = '单位名称,统一社会信用代码\r\n北京测试有限公司,91110000101623741K\r\n';
  const expected = [{ 单位名称: '北京测试有限公司', 统一社会信用代码: '91110000101623741K' }];

  it('UTF-8 without BOM', async () => {
    const s = await parseImportFile(utf8(text), 'units.csv');
    expect(s.headers).toEqual(['单位名称', '统一社会信用代码']);
    expect(s.rows).toEqual([{ rowNumber: 2, values: expected[0] }]);
    expect(s.encoding).toBe('utf-8');
    expect(s.warnings).toEqual([]);
  });

  it('UTF-8 with BOM (BOM stripped from the first header)', async () => {
    const s = await parseImportFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(text)]), 'units.CSV');
    expect(s.headers[0]).toBe('单位名称');
    expect(values(s)).toEqual(expected);
    expect(s.encoding).toBe('utf-8');
  });

  it('GBK / GB18030 (older Excel on Chinese Windows) is converted with a warning', async () => {
    const s = await parseImportFile(iconv.encode(text, 'gbk'), 'units.csv');
    expect(values(s)).toEqual(expected);
    expect(s.encoding).toBe('gb18030');
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0].zh).toContain('GB18030');
    expect(s.warnings[0].en).toContain('UTF-8');
  });

  it('UTF-16LE with BOM', async () => {
    const s = await parseImportFile(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]), 'units.csv');
    expect(values(s)).toEqual(expected);
    expect(s.encoding).toBe('utf-16le');
  });

  it('UTF-16BE with BOM', async () => {
    const s = await parseImportFile(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]), 'units.csv');
    expect(values(s)).toEqual(expected);
    expect(s.encoding).toBe('utf-16be');
  });

  it('tab-separated "Unicode text" from Excel is read with a warning', async () => {
    const tsv = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text.replaceAll(',', '\t'), 'utf-16le')]);
    const s = await parseImportFile(tsv, 'units.csv');
    expect(values(s)).toEqual(expected);
    expect(s.warnings.map((w) => w.en).join()).toContain('tab-separated');
  });

  it('binary garbage → BAD_ENCODING telling the user to save as UTF-8', async () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256));
    const e = await importError(parseImportFile(garbage, 'units.csv'));
    expect(e.code).toBe('BAD_ENCODING');
    expect(e.zh).toContain('UTF-8');
    expect(e.en).toContain('UTF-8');
    // Latin-1 text is not valid UTF-8 and not plausible GB18030 either.
    expect((await importError(parseImportFile(iconv.encode('name\r\ncafé\r\n', 'latin1'), 'a.csv'))).code).toBe('BAD_ENCODING');
  });
});

describe('parseImportFile — CSV structure', () => {
  it('0 bytes → EMPTY_FILE; whitespace only → EMPTY_FILE', async () => {
    for (const b of [Buffer.alloc(0), utf8(' \r\n\t\n'), Buffer.from([0xef, 0xbb, 0xbf])]) {
      const e = await importError(parseImportFile(b, 'a.csv'));
      expect(e.code).toBe('EMPTY_FILE');
      expect(e.zh).toBe('文件为空');
      expect(e.en).toBe('the file is empty');
      expect(e).toBeInstanceOf(AppError);
    }
  });

  it('only delimiters → NO_HEADER', async () => {
    expect((await importError(parseImportFile(utf8(',,\r\n,,\r\n'), 'a.csv'))).code).toBe('NO_HEADER');
  });

  it('header only → zero rows and a warning', async () => {
    const s = await parseImportFile(utf8('名称,代码\r\n'), 'a.csv');
    expect(s.headers).toEqual(['名称', '代码']);
    expect(s.rows).toEqual([]);
    expect(s.warnings).toEqual([{ zh: '文件只有表头，没有数据行', en: 'the file has a header but no data rows' }]);
  });

  it('quoted fields with commas, quotes and newlines', async () => {
    const s = await parseImportFile(utf8('名称,地址,备注\r\n"甲,乙公司","北京市\r\n海淀区","他说""好"""\r\n丙,丁,戊\r\n'), 'a.csv');
    expect(s.rows).toEqual([
      { rowNumber: 2, values: { 名称: '甲,乙公司', 地址: '北京市\r\n海淀区', 备注: '他说"好"' } },
      // A multi-line cell is one spreadsheet row, so the next record is row 3.
      { rowNumber: 3, values: { 名称: '丙', 地址: '丁', 备注: '戊' } },
    ]);
  });

  it('row numbers count blank rows like a spreadsheet; blank rows are skipped', async () => {
    const s = await parseImportFile(utf8('名称,代码\n\n甲,1\n , \n,\n乙,2\n'), 'a.csv');
    expect(s.rows.map((r) => [r.rowNumber, r.values.名称])).toEqual([
      [3, '甲'],
      [6, '乙'],
    ]);
  });

  it('header is the first non-empty row; header names are trimmed', async () => {
    const s = await parseImportFile(utf8('\n,\n 名称 ,\u3000代码 \n甲,1\n'), 'a.csv');
    expect(s.headers).toEqual(['名称', '代码']);
    expect(s.rows).toEqual([{ rowNumber: 4, values: { 名称: '甲', 代码: '1' } }]);
  });

  it('values are trimmed of ASCII whitespace only: NBSP, U+3000 and invisible characters are kept', async () => {
    const s = await parseImportFile(utf8('代码\n \t\u00A091110000101623741K\u200B\u3000 \n'), 'a.csv');
    expect(s.rows[0].values.代码).toBe('\u00A091110000101623741K\u200B\u3000');
  });

  it('ragged row → MALFORMED_CSV with the line number', async () => {
    const e = await importError(parseImportFile(utf8('名称,代码\n甲,1\n"多行\n内容",2\n乙\n'), 'a.csv'));
    expect(e.code).toBe('MALFORMED_CSV');
    expect(e.line).toBe(5);
    expect(e.zh).toContain('第5行');
    expect(e.en).toContain('line 5');
  });

  it('unclosed quote → MALFORMED_CSV with a line number', async () => {
    const e = await importError(parseImportFile(utf8('名称,代码\n甲,"1\n乙,2\n'), 'a.csv'));
    expect(e.code).toBe('MALFORMED_CSV');
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(e.en).toMatch(/quote is not closed/);
  });

  it('duplicate and empty headers get unique names and warnings', async () => {
    const s = await parseImportFile(utf8('名称,名称,,\n甲,乙,丙,\n'), 'a.csv');
    expect(s.headers).toEqual(['名称', '名称 (2)', '列C']);
    expect(s.rows[0].values).toEqual({ 名称: '甲', '名称 (2)': '乙', 列C: '丙' });
    expect(s.warnings.length).toBe(2);
  });

  it('a "__proto__" header is an ordinary key', async () => {
    const s = await parseImportFile(utf8('__proto__,b\nx,y\n'), 'a.csv');
    expect(Object.getPrototypeOf(s.rows[0].values)).toBe(Object.prototype);
    expect(Object.keys(s.rows[0].values)).toEqual(['__proto__', 'b']);
  });
});

describe('parseImportFile — limits and formats', () => {
  it('TOO_LARGE above maxBytes', async () => {
    const e = await importError(parseImportFile(utf8('a\n1\n'.repeat(100)), 'a.csv', { maxBytes: 100 }));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.status).toBe(413);
  });

  it('TOO_MANY_ROWS above maxRows (blank rows do not count)', async () => {
    await expect(parseImportFile(utf8('a\n1\n\n2\n'), 'a.csv', { maxRows: 2 })).resolves.toMatchObject({ rows: [{}, {}] });
    expect((await importError(parseImportFile(utf8('a\n1\n2\n3\n'), 'a.csv', { maxRows: 2 }))).code).toBe('TOO_MANY_ROWS');
    const x = await writeXlsx(['a'], [[1], [2], [3]], 's');
    expect((await importError(parseImportFile(x, 'a.xlsx', { maxRows: 2 }))).code).toBe('TOO_MANY_ROWS');
  });

  it('UNSUPPORTED_FORMAT for other extensions and for legacy .xls content', async () => {
    for (const name of ['a.txt', 'a.xls', 'a.json', 'a.csv.exe']) {
      expect((await importError(parseImportFile(utf8('a,b\n1,2\n'), name))).code).toBe('UNSUPPORTED_FORMAT');
    }
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]);
    const e = await importError(parseImportFile(ole2, 'a.xlsx'));
    expect(e.code).toBe('UNSUPPORTED_FORMAT');
    expect(e.en).toContain('.xls');
  });

  it('BAD_XLSX for a .xlsx that is not a workbook, or a broken zip', async () => {
    expect((await importError(parseImportFile(utf8('a,b\n1,2\n'), 'a.xlsx'))).code).toBe('BAD_XLSX');
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    expect((await importError(parseImportFile(broken, 'a.xlsx'))).code).toBe('BAD_XLSX');
  });

  it('sniffs xlsx content in a file named .csv', async () => {
    const x = await writeXlsx(['名称'], [['甲']], 's');
    const s = await parseImportFile(x, 'export.csv');
    expect(values(s)).toEqual([{ 名称: '甲' }]);
    expect(s.warnings[0].en).toContain('.xlsx');
  });
});

describe('parseImportFile — XLSX', () => {
  it('round trip through writeXlsx: Chinese text, numbers, nulls, an 18-character code kept as text', async () => {
    const headers = ['单位名称', '统一社会信用代码', '排放量', '备注'];
    const x = await writeXlsx(
      headers,
      [
        ['北京测试有限公司', '911101066976941872', 12.5, null],
        ['=HYPERLINK("x")', '91350100M000100Y43', -3, '含,逗号\n和换行'],
        [null, null, null, null],
        ['上海', '91110000101623741K', 0.1 + 0.2, ''],
      ],
      '排污单位',
    );
    expect(x.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
    const s = await parseImportFile(x, '导出.xlsx');
    expect(s.headers).toEqual(headers);
    expect(s.encoding).toBeUndefined();
    expect(s.rows).toEqual([
      { rowNumber: 2, values: { 单位名称: '北京测试有限公司', 统一社会信用代码: '911101066976941872', 排放量: '12.5', 备注: '' } },
      { rowNumber: 3, values: { 单位名称: '=HYPERLINK("x")', 统一社会信用代码: '91350100M000100Y43', 排放量: '-3', 备注: '含,逗号\n和换行' } },
      { rowNumber: 5, values: { 单位名称: '上海', 统一社会信用代码: '91110000101623741K', 排放量: '0.3', 备注: '' } },
    ]);
    // The code column really is text in the file, not a number.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x as unknown as ExcelJS.Buffer);
    expect(wb.worksheets[0].name).toBe('排污单位');
    expect(wb.worksheets[0].getCell('B2').value).toBe('911101066976941872');
    expect(wb.worksheets[0].getCell('A3').value).toBe('=HYPERLINK("x")'); // a string, not a formula
  });

  it('converts ExcelJS cell types to text: big numbers, dates, rich text, formulas, hyperlinks, booleans, errors', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['数字', '日期', '富文本', '公式', '链接', '小数', '布尔', '错误']);
    ws.addRow([
      911101066976941872, // a credit code typed as a number: digits already lost
      new Date(Date.UTC(2024, 0, 5)),
      { richText: [{ text: '北京' }, { font: { bold: true }, text: '测试' }] },
      { formula: 'A3*2', result: 42 },
      { text: '官网', hyperlink: 'https://example.com' },
      1e-7,
      true,
      { error: '#N/A' },
    ]);
    ws.addRow([12345, new Date(Date.UTC(2024, 11, 31, 8, 5, 9)), '', { formula: 'NOW()' }, null, 123456789012, false, null]);
    const s = await parseImportFile(Buffer.from(await wb.xlsx.writeBuffer()), 'a.xlsx');
    expect(values(s)).toEqual([
      { 数字: '911101066976942000', 日期: '2024-01-05', 富文本: '北京测试', 公式: '42', 链接: '官网', 小数: '0.0000001', 布尔: 'TRUE', 错误: '#N/A' },
      { 数字: '12345', 日期: '2024-12-31 08:05:09', 富文本: '', 公式: '', 链接: '', 小数: '123456789012', 布尔: 'FALSE', 错误: '' },
    ]);
    expect(s.warnings.map((w) => w.en).join()).toMatch(/15 significant digits/);
  });

  it('uses the sheet row number, skips empty rows, finds the header below empty rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.getCell('A3').value = '名称';
    ws.getCell('B3').value = '代码';
    ws.getCell('A5').value = '  甲  ';
    ws.getCell('B5').value = 1;
    ws.getCell('A6').value = '   ';
    ws.getCell('A8').value = '乙';
    wb.addWorksheet('第二页').getCell('A1').value = 'x';
    const s = await parseImportFile(Buffer.from(await wb.xlsx.writeBuffer()), 'a.xlsx');
    expect(s.headers).toEqual(['名称', '代码']);
    expect(s.rows).toEqual([
      { rowNumber: 5, values: { 名称: '甲', 代码: '1' } },
      { rowNumber: 8, values: { 名称: '乙', 代码: '' } },
    ]);
    expect(s.warnings.map((w) => w.en).join()).toContain('2 worksheets');
  });

  it('empty worksheet → EMPTY_FILE; header only → zero rows + warning', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S');
    expect((await importError(parseImportFile(Buffer.from(await wb.xlsx.writeBuffer()), 'a.xlsx'))).code).toBe('EMPTY_FILE');
    const s = await parseImportFile(await writeXlsx(['名称'], [], 'S'), 'a.xlsx');
    expect(s.rows).toEqual([]);
    expect(s.warnings).toHaveLength(1);
  });
});

describe('writeCsv', () => {
  it('writes a UTF-8 BOM, CRLF lines and RFC 4180 quoting', () => {
    const csv = writeCsv(['名称', '备注'], [
      ['甲,乙', '他说"好"'],
      ['多\n行', null],
      [12.5, 0.1 + 0.2],
    ]);
    expect(csv).toBe('\uFEFF名称,备注\r\n"甲,乙","他说""好"""\r\n"多\n行",\r\n12.5,0.3\r\n');
  });

  it('guards against formula injection in text cells, not in numbers', () => {
    const csv = writeCsv(['a'], [['=HYPERLINK("http://evil")'], ['+1'], ['-1'], ['@SUM(A1)'], ['\tx'], ['\rx'], [-1], ['a=b']]);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.slice(1, 9)).toEqual([`"'=HYPERLINK(""http://evil"")"`, "'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`, '-1', 'a=b']);
  });

  it('round trip writeCsv → parseImportFile (property)', async () => {
    const piece = fc.constantFrom('a', 'Z', '9', '中', '文', ',', '"', "'", '\n', '\r\n', ' ', '=', '-', '+', '@', 'é', '😀', '\u200B', '\t', ';');
    // Surrounding ASCII whitespace is trimmed on import by design, so values start and end otherwise.
    const cell = fc.string({ unit: piece, maxLength: 12 }).map((s) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
    const headers = ['名称', 'code', '备注'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell, cell), { maxLength: 8 }), async (rows) => {
        const parsed = await parseImportFile(Buffer.from(writeCsv(headers, rows), 'utf8'), 'rt.csv');
        const guard = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
        const expected = rows
          .map((r, i) => ({ rowNumber: i + 2, values: Object.fromEntries(headers.map((h, c) => [h, guard(r[c])])) }))
          .filter((r) => Object.values(r.values).some((v) => v !== ''));
        expect(parsed.headers).toEqual(headers);
        expect(parsed.rows).toEqual(expected);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('writeXlsx', () => {
  // Speed is measured in bench/, not asserted here (CI does not time things).
  it('writes a large sheet that reads back complete', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [`排污单位${i}`, '91110000101623741K', i, i * 1.5, null]);
    const x = await writeXlsx(['名称', '代码', '序号', '数量', '空'], rows, '大表');
    const back = await parseImportFile(x, 'big.xlsx');
    expect(back.rows).toHaveLength(20_000);
    expect(back.rows[19_999].values['名称']).toBe('排污单位19999');
  }, 60_000);

  it('sanitises sheet names and strips characters XML cannot hold', async () => {
    const x = await writeXlsx(['a'], [['x\u0001y']], "'Bad:/name?*[]with a very long title indeed'");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x as unknown as ExcelJS.Buffer);
    expect(wb.worksheets[0].name).toMatch(/^Bad__name/);
    expect(wb.worksheets[0].name.length).toBeLessThanOrEqual(31);
    expect(wb.worksheets[0].getCell('A2').value).toBe('xy');
  });
});

describe('mapHeaders', () => {
  const aliases = {
    creditCode: ['统一社会信用代码', '信用代码', 'credit code', 'creditCode'],
    name: ['单位名称', '名称', 'unit name'],
    amount: ['排放量（t/a）'],
    regionCode: ['行政区划代码', 'region code'],
  };

  it('maps Chinese and English titles, ignoring case, spaces, brackets and a required-marker *', () => {
    const r = mapHeaders(['统一社会信用代码*', ' Unit  NAME ', '排放量(t/a)', '*Region_Code', '联系人'], aliases);
    expect(r.mapping).toEqual({ '统一社会信用代码*': 'creditCode', ' Unit  NAME ': 'name', '排放量(t/a)': 'amount', '*Region_Code': 'regionCode' });
    expect(r.unknown).toEqual(['联系人']);
    expect(r.missing).toEqual([]);
  });

  it('accepts full-width letters and brackets, and field names themselves', () => {
    const r = mapHeaders(['ＣＲＥＤＩＴ ＣＯＤＥ＊', '单位名称（必填）', '排放量【t/a】'], aliases);
    expect(r.mapping).toEqual({ 'ＣＲＥＤＩＴ ＣＯＤＥ＊': 'creditCode', '单位名称（必填）': 'name', '排放量【t/a】': 'amount' });
    expect(r.missing).toEqual(['regionCode']);
    expect(mapHeaders(['creditcode'], aliases).mapping).toEqual({ creditcode: 'creditCode' });
  });

  it('lists every absent field in missing and unmatched titles in unknown', () => {
    const r = mapHeaders(['备注', ''], aliases);
    expect(r.mapping).toEqual({});
    expect(r.unknown).toEqual(['备注', '']);
    expect(r.missing).toEqual(['creditCode', 'name', 'amount', 'regionCode']);
  });

  it('maps a field once; exact titles win over titles that only match without brackets', () => {
    const r = mapHeaders(['名称（分公司）', '信用代码', 'Credit Code', '单位名称'], aliases);
    expect(r.mapping).toEqual({ 信用代码: 'creditCode', 单位名称: 'name' });
    expect(r.unknown).toEqual(['名称（分公司）', 'Credit Code']);
  });
});

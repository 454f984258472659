/**
 * Bulk import/export files for the registry: .csv and .xlsx as people actually produce them.
 *
 * Reading (`parseImportFile`) turns a file into header names plus rows of trimmed strings with the
 * row number a spreadsheet user sees, so validation messages can say "row 17". It copes with the
 * usual encodings of Chinese CSV files (UTF-8 with/without BOM, UTF-16 from "Unicode text",
 * GB18030/GBK from older Excel) and refuses what it cannot read with a bilingual, actionable error.
 * Values are kept raw apart from surrounding ASCII whitespace: invisible characters and the like
 * are left for the field validators (e.g. credit-code.ts) to report precisely.
 *
 * Writing (`writeCsv`, `writeXlsx`) produces files that open correctly in Excel (BOM for CSV,
 * streamed XLSX for large exports) and guards CSV against formula injection.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.ts';

export interface ParsedSheet {
  headers: string[];
  rows: { rowNumber: number; values: Record<string, string> }[];
  encoding?: string;
  warnings: { zh: string; en: string }[];
}

export type ImportFileErrorCode =
  | 'EMPTY_FILE'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_FORMAT'
  | 'BAD_ENCODING'
  | 'NO_HEADER'
  | 'TOO_MANY_ROWS'
  | 'MALFORMED_CSV'
  | 'BAD_XLSX';

const STATUS: Record<ImportFileErrorCode, number> = {
  EMPTY_FILE: 400,
  TOO_LARGE: 413,
  UNSUPPORTED_FORMAT: 415,
  BAD_ENCODING: 400,
  NO_HEADER: 400,
  TOO_MANY_ROWS: 413,
  MALFORMED_CSV: 400,
  BAD_XLSX: 400,
};

/** A file that cannot be imported. An AppError, so the HTTP layer renders it as problem+json. */
export class ImportFileError extends AppError {
  readonly zh: string;
  readonly en: string;
  /** 1-based line in the file, for MALFORMED_CSV. */
  readonly line?: number;

  constructor(code: ImportFileErrorCode, m: { zh: string; en: string }, line?: number) {
    super(code, STATUS[code], m, line === undefined ? undefined : { line });
    this.name = 'ImportFileError';
    this.zh = m.zh;
    this.en = m.en;
    this.line = line;
  }
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = 1_000_000;

type Warning = { zh: string; en: string };

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]); // "PK\3\4": xlsx is a zip
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // legacy .xls

export async function parseImportFile(
  data: Buffer,
  filename: string,
  opts: { maxRows?: number; maxBytes?: number } = {},
): Promise<ParsedSheet> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (data.length === 0) throw new ImportFileError('EMPTY_FILE', { zh: '文件为空', en: 'the file is empty' });
  if (data.length > maxBytes) {
    throw new ImportFileError('TOO_LARGE', {
      zh: `文件过大（${formatBytes(data.length)}），上限为${formatBytes(maxBytes)}；请拆分后分批导入`,
      en: `the file is too large (${formatBytes(data.length)}); the limit is ${formatBytes(maxBytes)} — split it and import in parts`,
    });
  }

  const ext = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase();
  const isZip = data.subarray(0, 4).equals(ZIP_MAGIC);
  const isOle2 = data.subarray(0, 8).equals(OLE2_MAGIC);
  const warnings: Warning[] = [];

  if (ext !== undefined && ext !== 'csv' && ext !== 'xlsx') {
    throw new ImportFileError('UNSUPPORTED_FORMAT', {
      zh: `不支持的文件格式“.${ext}”；请使用 .xlsx 或 .csv 文件${ext === 'xls' ? '（旧版 .xls 请在 Excel 中另存为 .xlsx）' : ''}`,
      en: `unsupported file type ".${ext}"; use .xlsx or .csv${ext === 'xls' ? ' (save old .xls files as .xlsx in Excel)' : ''}`,
    });
  }
  if (isOle2) {
    // An old binary .xls renamed to .xlsx/.csv: neither library reads it.
    throw new ImportFileError('UNSUPPORTED_FORMAT', {
      zh: '这是旧版 Excel（.xls）文件；请在 Excel 中另存为 .xlsx 后再导入',
      en: 'this is an old Excel (.xls) file; save it as .xlsx in Excel and import again',
    });
  }
  if (isZip) {
    if (ext === 'csv') {
      warnings.push({ zh: '文件扩展名为 .csv，但内容是 Excel（.xlsx）文件，已按 .xlsx 读取', en: 'the file is named .csv but is an Excel (.xlsx) file; it was read as .xlsx' });
    }
    return parseXlsx(data, maxRows, warnings);
  }
  if (ext === 'xlsx') {
    throw new ImportFileError('BAD_XLSX', {
      zh: '文件扩展名为 .xlsx，但内容不是有效的 Excel 文件；请在 Excel 中重新保存',
      en: 'the file is named .xlsx but is not a valid Excel file; save it again from Excel',
    });
  }
  return parseCsvFile(data, maxRows, warnings);
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/** C0 controls other than tab/LF/CR, and DEL: never in a text file, common in binary data. */
const BINARY_CHARS_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CJK_RE = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u3000-\u303F\uFF00-\uFFEF]/;

const BAD_ENCODING_MSG = {
  zh: '无法识别文件编码（不是 UTF-8、UTF-16 或 GB18030/GBK 文本）；请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”后重新导入',
  en: 'could not recognise the text encoding (not UTF-8, UTF-16 or GB18030/GBK); in Excel use "Save As → CSV UTF-8 (Comma delimited)" and import again',
};

interface Decoded {
  text: string;
  encoding: string;
}

function decodeText(data: Buffer, warnings: Warning[]): Decoded {
  let decoded: Decoded | undefined;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    decoded = { text: decodeUtf8(data.subarray(3)) ?? fail(), encoding: 'utf-8' };
  } else if (data[0] === 0xff && data[1] === 0xfe) {
    decoded = { text: decodeUtf16(data.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  } else if (data[0] === 0xfe && data[1] === 0xff) {
    decoded = { text: decodeUtf16(data.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  } else if (data.includes(0)) {
    // No BOM but NUL bytes: UTF-16 text has a NUL in every ASCII character (commas, newlines),
    // on the odd bytes for little-endian and the even bytes for big-endian. Anything else is binary.
    const guess = guessUtf16(data);
    if (!guess) fail();
    decoded = { text: decodeUtf16(data, guess), encoding: guess };
    warnings.push({ zh: `文件为无 BOM 的 ${guess.toUpperCase()} 编码，已按此读取`, en: `the file is ${guess.toUpperCase()} without a byte order mark; it was read as such` });
  } else {
    const utf8 = decodeUtf8(data);
    if (utf8 !== undefined) {
      decoded = { text: utf8, encoding: 'utf-8' };
    } else {
      // Not UTF-8: most likely saved by older Excel / WPS on a Chinese Windows (GBK, a subset of
      // GB18030). GB18030 maps almost any byte sequence, so only accept a plausible result.
      const text = iconv.decode(data, 'gb18030');
      if (text.includes('\uFFFD') || !CJK_RE.test(text)) fail();
      decoded = { text, encoding: 'gb18030' };
      warnings.push({
        zh: '文件编码为 GB18030/GBK，已自动转换；建议今后另存为“CSV UTF-8”格式',
        en: 'the file is encoded in GB18030/GBK and was converted; saving as "CSV UTF-8" is recommended',
      });
    }
  }
  if (BINARY_CHARS_RE.test(decoded.text)) fail();
  return decoded;
}

function fail(): never {
  throw new ImportFileError('BAD_ENCODING', BAD_ENCODING_MSG);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function decodeUtf16(bytes: Buffer, enc: 'utf-16le' | 'utf-16be'): string {
  if (bytes.length % 2 !== 0) fail();
  const text = iconv.decode(bytes, enc, { stripBOM: false });
  // Unpaired surrogates mean the bytes are not really UTF-16.
  if (LONE_SURROGATE_RE.test(text)) fail();
  return text;
}

function guessUtf16(data: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (data.length % 2 !== 0) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) continue;
    if (i % 2 === 0) evenZero++;
    else oddZero++;
  }
  const half = data.length / 2;
  if (oddZero >= half * 0.2 && evenZero === 0) return 'utf-16le';
  if (evenZero >= half * 0.2 && oddZero === 0) return 'utf-16be';
  return undefined;
}

/** Comma unless the first non-empty line clearly uses tabs (Excel "Unicode text") or semicolons. */
function detectDelimiter(text: string, warnings: Warning[]): string {
  const first = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  const unquoted = first.replace(/"[^"]*"/g, '');
  if (unquoted.includes(',')) return ',';
  for (const [d, zh, en] of [
    ['\t', '制表符', 'tab'],
    [';', '分号', 'semicolon'],
  ] as const) {
    if (unquoted.includes(d)) {
      warnings.push({ zh: `文件以${zh}分隔，已按此读取`, en: `the file is ${en}-separated; it was read as such` });
      return d;
    }
  }
  return ',';
}

interface CsvRecordWithInfo {
  record: string[];
  info: { lines: number; records: number };
}

function parseCsvFile(data: Buffer, maxRows: number, warnings: Warning[]): ParsedSheet {
  const { text, encoding } = decodeText(data, warnings);
  if (text.trim() === '') throw new ImportFileError('EMPTY_FILE', { zh: '文件为空', en: 'the file is empty' });

  let records: CsvRecordWithInfo[];
  try {
    // Column counts are checked below rather than by csv-parse (relax_column_count: true) and
    // empty lines are kept (skip_empty_lines: false): a blank line is a blank row in Excel, so
    // keeping it makes `info.records` equal to the spreadsheet row number, and blank rows are
    // skipped instead of being rejected as too short. Ragged non-empty rows are still errors.
    records = parseCsv(text, {
      delimiter: detectDelimiter(text, warnings),
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
      bom: false,
    }) as unknown as CsvRecordWithInfo[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    const line = typeof e.lines === 'number' ? e.lines : undefined;
    const why =
      e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? { zh: '有未闭合的引号', en: 'a quote is not closed' }
        : e.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? { zh: '引号后紧跟了其他字符（字段内的引号应写成两个 ""）', en: 'a closing quote is followed by other characters (quotes inside a field must be doubled "")' }
          : { zh: '格式错误', en: 'malformed content' };
    throw new ImportFileError(
      'MALFORMED_CSV',
      {
        zh: `CSV 格式错误：第${line ?? '?'}行附近${why.zh}`,
        en: `malformed CSV near line ${line ?? '?'}: ${why.en}`,
      },
      line,
    );
  }

  let headerAt = -1;
  for (let i = 0; i < records.length; i++) {
    if (!isBlank(records[i].record)) {
      headerAt = i;
      break;
    }
  }
  if (headerAt < 0) throw noHeader();
  const header = records[headerAt];
  const columns = buildColumns(header.record.map((h) => h.trim()), (c) => records.slice(headerAt + 1).some((r) => trimAscii(r.record[c] ?? '') !== ''), warnings);

  const rows: ParsedSheet['rows'] = [];
  for (let i = headerAt + 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (isBlank(record)) continue;
    if (record.length !== header.record.length) {
      throw new ImportFileError(
        'MALFORMED_CSV',
        {
          zh: `CSV 格式错误：第${info.lines}行有${record.length}列，而表头有${header.record.length}列（请检查该行是否多了或少了逗号，含逗号的内容须用双引号括起）`,
          en: `malformed CSV: line ${info.lines} has ${record.length} fields but the header has ${header.record.length} (check for a missing or extra comma; values containing commas must be quoted)`,
        },
        info.lines,
      );
    }
    if (rows.length >= maxRows) throw tooManyRows(maxRows);
    rows.push({ rowNumber: info.records, values: rowValues(columns, (c) => record[c] ?? '') });
  }
  finish(rows, warnings);
  return { headers: columns.map((c) => c.name), rows, encoding, warnings };
}

// ---------------------------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------------------------

async function parseXlsx(data: Buffer, maxRows: number, warnings: Warning[]): Promise<ParsedSheet> {
  const wb = new ExcelJS.Workbook();
  try {
    // The whole workbook is loaded in memory. ExcelJS's streaming reader was not used because it
    // mis-types dates when styles.xml comes after the sheets in the zip (as Excel writes it);
    // the byte limit keeps memory bounded.
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer); // ExcelJS declares its own Buffer type (an ArrayBuffer); a Node Buffer works at runtime
  } catch {
    throw new ImportFileError('BAD_XLSX', {
      zh: 'Excel 文件已损坏或无法读取；请在 Excel 中打开并重新保存为 .xlsx',
      en: 'the Excel file is damaged or unreadable; open it in Excel and save it again as .xlsx',
    });
  }
  const sheets = wb.worksheets;
  const ws = sheets.find((s) => s.state === 'visible') ?? sheets[0];
  if (!ws) throw new ImportFileError('EMPTY_FILE', { zh: '文件为空（没有工作表）', en: 'the file is empty (no worksheet)' });
  if (sheets.length > 1) {
    warnings.push({
      zh: `工作簿有${sheets.length}个工作表，只读取了“${ws.name}”`,
      en: `the workbook has ${sheets.length} worksheets; only "${ws.name}" was read`,
    });
  }

  // Collect non-empty rows as string arrays (index 0 = column A).
  const sheetRows: { n: number; cells: string[] }[] = [];
  const bigNumbers = { count: 0, first: '' };
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const before = bigNumbers.count;
      cells[col - 1] = cellToString(cell.value, bigNumbers);
      if (before === 0 && bigNumbers.count > 0) bigNumbers.first = cell.address;
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (!isBlank(cells)) sheetRows.push({ n, cells });
  });
  if (sheetRows.length === 0) throw new ImportFileError('EMPTY_FILE', { zh: `文件为空（工作表“${ws.name}”没有内容）`, en: `the file is empty (worksheet "${ws.name}" has no content)` });
  if (bigNumbers.count > 0) {
    warnings.push({
      zh: `有${bigNumbers.count}个单元格（如 ${bigNumbers.first}）是超过15位的数字，Excel 只保存15位有效数字，末尾数字可能已丢失（例如把信用代码录成了数字）；请将该列设为“文本”格式后重新录入`,
      en: `${bigNumbers.count} cell(s) (e.g. ${bigNumbers.first}) hold numbers longer than 15 digits; Excel keeps only 15 significant digits, so trailing digits may be lost (e.g. a credit code typed as a number) — format the column as Text and re-enter`,
    });
  }

  const [header, ...body] = sheetRows;
  const width = header.cells.length;
  const columns = buildColumns(header.cells.map((h) => h.trim()), (c) => body.some((r) => trimAscii(r.cells[c] ?? '') !== ''), warnings);
  let outside = 0;
  const rows: ParsedSheet['rows'] = [];
  for (const r of body) {
    if (r.cells.slice(width).some((v) => trimAscii(v) !== '')) outside++;
    const values = rowValues(columns, (c) => r.cells[c] ?? '');
    if (Object.values(values).every((v) => v === '')) continue; // only had content outside the header's columns
    if (rows.length >= maxRows) throw tooManyRows(maxRows);
    rows.push({ rowNumber: r.n, values });
  }
  if (outside > 0) {
    warnings.push({
      zh: `有${outside}行在表头以外的列中有内容，这些内容已被忽略`,
      en: `${outside} row(s) have content in columns without a header; it was ignored`,
    });
  }
  finish(rows, warnings);
  return { headers: columns.map((c) => c.name), rows, warnings };
}

/**
 * A cell value as the text a user would type: numbers without float noise or exponent, dates as
 * YYYY-MM-DD (with time if any), rich text joined, formulas as their result, hyperlinks as text.
 */
function cellToString(v: ExcelJS.CellValue, bigNumbers: { count: number }): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // Beyond 15 digits Excel has already dropped digits (a credit code typed as a number): count it for a warning.
    if (Number.isInteger(v) && Math.abs(v) >= 1e15) bigNumbers.count++;
    return formatNumber(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return formatDate(v);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
    if ('error' in v && typeof v.error === 'string') return v.error;
    // Formulas (plain and shared) carry their cached result.
    if ('formula' in v || 'sharedFormula' in v) return cellToString((v as { result?: ExcelJS.CellValue }).result ?? null, bigNumbers);
    if ('hyperlink' in v) {
      const text = (v as { text?: unknown }).text;
      if (typeof text === 'string') return text;
      if (text && typeof text === 'object') return cellToString(text as ExcelJS.CellValue, bigNumbers);
      return String((v as { hyperlink?: unknown }).hyperlink ?? '');
    }
    if ('text' in v && typeof (v as { text?: unknown }).text === 'string') return (v as { text: string }).text;
  }
  return String(v);
}

/** At most 15 significant digits (what Excel stores/shows), never in exponent form. */
// One formatter for all cells: building an Intl.NumberFormat per call (toLocaleString with
// options) costs tens of microseconds, seconds over a 100k-row export.
const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { useGrouping: false, maximumSignificantDigits: 15 });

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Object.is(n, -0)) return '0';
  // Fast path: 15 significant digits without exponent notation reads the same either way.
  const s = String(Number(n.toPrecision(15)));
  return /e/i.test(s) ? NUMBER_FORMAT.format(n) : s;
}

/** ExcelJS produces dates as UTC instants representing the local wall-clock value. */
function formatDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const p = (x: number, w = 2) => String(x).padStart(w, '0');
  const date = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  // Excel stores times as fractions of a day, so round to the second before deciding there is one.
  const secs = Math.round((d.getTime() - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) / 1000);
  if (secs === 0) return date;
  if (secs >= 86400) return formatDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)));
  return `${date} ${p(Math.floor(secs / 3600))}:${p(Math.floor(secs / 60) % 60)}:${p(secs % 60)}`;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** Surrounding ASCII whitespace only; NBSP, U+3000, zero-width characters stay for the validators. */
function trimAscii(s: string): string {
  return s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
}

function isBlank(cells: string[]): boolean {
  return cells.every((c) => trimAscii(c ?? '') === '');
}

function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

interface Column {
  index: number;
  name: string;
}

/**
 * Turns header cells into unique column names. Empty header cells are dropped when their column is
 * empty too (Excel often exports trailing empty columns) and named after the column letter
 * otherwise; duplicate names get a " (2)" suffix so no value is silently overwritten.
 */
function buildColumns(names: string[], hasData: (col: number) => boolean, warnings: Warning[]): Column[] {
  const out: Column[] = [];
  const seen = new Set<string>();
  names.forEach((raw, index) => {
    let name = raw;
    if (name === '') {
      if (!hasData(index)) return;
      name = `列${columnLetter(index)}`;
      warnings.push({ zh: `第${columnLetter(index)}列没有表头，已命名为“${name}”`, en: `column ${columnLetter(index)} has no header; it was named "${name}"` });
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name} (${k})`)) k++;
      const renamed = `${name} (${k})`;
      warnings.push({ zh: `表头“${name}”重复，第${columnLetter(index)}列已改名为“${renamed}”`, en: `duplicate header "${name}"; column ${columnLetter(index)} was renamed "${renamed}"` });
      name = renamed;
    }
    seen.add(name);
    out.push({ index, name });
  });
  return out;
}

/** Object.fromEntries defines own properties, so a header such as "__proto__" is just a key. */
function rowValues(columns: Column[], get: (col: number) => string): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c.name, trimAscii(get(c.index))]));
}

function finish(rows: ParsedSheet['rows'], warnings: Warning[]): void {
  if (rows.length === 0) warnings.push({ zh: '文件只有表头，没有数据行', en: 'the file has a header but no data rows' });
}

function noHeader(): ImportFileError {
  return new ImportFileError('NO_HEADER', {
    zh: '文件中没有找到表头行（所有行都是空的）；第一行非空行应为列标题',
    en: 'no header row found (every row is empty); the first non-empty row must hold the column titles',
  });
}

function tooManyRows(maxRows: number): ImportFileError {
  return new ImportFileError('TOO_MANY_ROWS', {
    zh: `数据行超过上限${maxRows}行；请拆分后分批导入`,
    en: `more than ${maxRows} data rows; split the file and import in parts`,
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} B`;
}

// ---------------------------------------------------------------------------------------------
// Header mapping
// ---------------------------------------------------------------------------------------------

const INVISIBLE_G = /[\p{Cf}\uFE00-\uFE0F]/gu;
const BRACKET_GROUP_G = /[(\[【〔〖][^()\[\]【】〔〕〖〗]*[)\]】〕〗]/g;
const BRACKET_CHAR_G = /[()[\]【】〔〕〖〗]/g;

/**
 * Comparable form of a column title: full-width → half-width (NFKC, also （）→ ()), no invisible
 * characters, case-folded, no spaces or underscores, no required-marker `*` at either end.
 * `dropGroups` also removes bracketed parts, so "排放量（t/a）" can match an alias "排放量".
 */
function titleKey(title: string, dropGroups: boolean): string {
  let s = title.normalize('NFKC').replace(INVISIBLE_G, '').toLowerCase().replace(/[\s_]+/gu, '');
  s = s.replace(/^\*+|\*+$/g, '');
  if (dropGroups) s = s.replace(BRACKET_GROUP_G, '');
  return s.replace(BRACKET_CHAR_G, '').replace(/^\*+|\*+$/g, '');
}

/**
 * Maps file column titles to field names using an alias table such as
 * `{ creditCode: ['统一社会信用代码', '信用代码', 'credit code', 'creditCode'] }`.
 * `mapping` is keyed by the title as it appears in `headers`. Exact matches (after normalisation)
 * win over matches that ignore bracketed parts; each field is mapped at most once (a second
 * column for the same field is reported in `unknown`); `missing` lists every field with no column.
 */
export function mapHeaders(
  headers: string[],
  aliases: Record<string, string[]>,
): { mapping: Record<string, string>; unknown: string[]; missing: string[] } {
  const exact = new Map<string, string>();
  const loose = new Map<string, string>();
  for (const [field, names] of Object.entries(aliases)) {
    for (const name of [field, ...names]) {
      const k = titleKey(name, false);
      if (k !== '' && !exact.has(k)) exact.set(k, field);
      const kl = titleKey(name, true);
      if (kl !== '' && !loose.has(kl)) loose.set(kl, field);
    }
  }

  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  const pending: string[] = [];
  // First pass: exact matches, so a loose match cannot steal a field an exact title names.
  for (const h of headers) {
    const field = exact.get(titleKey(h, false));
    if (field !== undefined && !taken.has(field) && !Object.hasOwn(mapping, h)) {
      Object.defineProperty(mapping, h, { value: field, enumerable: true, writable: true, configurable: true });
      taken.add(field);
    } else pending.push(h);
  }
  const unknown: string[] = [];
  for (const h of pending) {
    const k = titleKey(h, true);
    const field = k === '' ? undefined : (exact.get(k) ?? loose.get(k));
    if (field !== undefined && !taken.has(field) && !Object.hasOwn(mapping, h)) {
      Object.defineProperty(mapping, h, { value: field, enumerable: true, writable: true, configurable: true });
      taken.add(field);
    } else unknown.push(h);
  }
  const missing = Object.keys(aliases).filter((f) => !taken.has(f));
  return { mapping, unknown, missing };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

type OutCell = string | number | null;

/**
 * CSV formula injection (CWE-1236): Excel/WPS evaluate a cell starting with = + - @ (and, after
 * trimming, tab or CR) as a formula, so an exported unit name like `=HYPERLINK(...)` could run
 * when a user opens the file. Such text cells get a leading apostrophe, which Excel shows as plain
 * text. Numbers are written as numbers and are not affected (pass numbers, not numeric strings,
 * if a leading minus must stay unprefixed).
 */
const FORMULA_START_RE = /^[=+\-@\t\r]/;

function csvCell(v: OutCell): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') s = Number.isFinite(v) ? formatNumber(v) : '';
  else s = FORMULA_START_RE.test(v) ? `'${v}` : v;
  // RFC 4180: quote fields with a delimiter, quote or line break, doubling inner quotes. Fields
  // with surrounding spaces are quoted too so that spreadsheet programs keep the spaces.
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text: UTF-8 BOM (so Excel detects UTF-8 and shows Chinese correctly), CRLF line ends, RFC 4180 quoting. */
export function writeCsv(headers: string[], rows: OutCell[][]): string {
  const lines: string[] = [headers.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** Excel's limits: 31 characters, none of []:*?/\ and not starting/ending with an apostrophe. */
function safeSheetName(name: string): string {
  const s = name.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '').slice(0, 31).trim();
  return s === '' ? 'Sheet1' : s;
}

/** XML 1.0 cannot hold these; ExcelJS would write them and Excel would call the file corrupt. */
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE_RE.source, 'g');
const XML_INVALID_G = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * An .xlsx with one worksheet: a bold, frozen header row, then the rows. Strings stay text (an
 * 18-character credit code is never turned into a number), numbers stay numbers. Rows are
 * streamed through ExcelJS's WorkbookWriter and committed one by one, so 100k rows take seconds
 * and little memory apart from the resulting buffer.
 */
export async function writeXlsx(headers: string[], rows: OutCell[][], sheetName: string): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });

  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(safeSheetName(sheetName), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((h) => ({ key: h, width: Math.min(60, Math.max(10, displayWidth(h) + 2)) }));
  const head = ws.addRow(headers.map(cleanXml));
  head.font = { bold: true };
  head.commit();
  for (const row of rows) {
    ws.addRow(row.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? cleanXml(v) : v))).commit();
  }
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

function cleanXml(s: string): string {
  return s.replace(XML_INVALID_G, '').replace(LONE_SURROGATE_G, '\uFFFD');
}

/** Approximate column width in Excel units: CJK characters are about two units wide. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += CJK_RE.test(ch) ? 2 : 1;
  return w;
}

/**
 * A table as a download: csv (UTF-8 with BOM) or xlsx, named `name` in the content-disposition.
 * Takes the reply's two header calls and its send, so routes exporting a table stay one call.
 */
export async function sheetDownload(reply: { header(k: string, v: string): unknown; send(body: unknown): unknown }, file: { name: string; sheet: string; format: 'csv' | 'xlsx' }, headers: string[], rows: OutCell[][]) {
  const csv = file.format === 'csv';
  reply.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}.${file.format}`);
  return reply.send(csv ? writeCsv(headers, rows) : await writeXlsx(headers, rows, file.sheet));
}

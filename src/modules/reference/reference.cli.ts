import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import { createReferenceService, type ReferenceService } from './reference.service.ts';

/** Error the CLI runner prints (message only) and exits with `exitCode`. */
class ReferenceCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ReferenceCliError';
  }
}

const TABLES = ['regions', 'region-history', 'industries', 'pollutants', 'limits', 'standards'] as const;
type TableName = (typeof TABLES)[number];

/**
 * Terminal columns a string takes: East Asian wide and full-width characters (CJK, 、。（）…)
 * take two, combining marks and zero-width characters none.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) continue;
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || c === 0xfeff || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Pad with spaces to `width` terminal columns. */
export function padDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

type Cell = string | number | null | undefined;

/**
 * Aligned columns (two spaces apart) under a header and a rule. Columns holding only numbers
 * are right-aligned; text is left-aligned and the last column is not padded.
 */
export function formatTable(headers: string[], rows: Cell[][]): string[] {
  const text = rows.map((r) => headers.map((_, i) => (r[i] === null || r[i] === undefined ? '' : String(r[i])).replace(/\s+/g, ' ')));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...text.map((r) => displayWidth(r[i]))));
  const numeric = headers.map((_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'));
  const cell = (c: string, i: number, last: boolean) =>
    numeric[i] ? ' '.repeat(Math.max(0, widths[i] - displayWidth(c))) + c : last ? c : padDisplay(c, widths[i]);
  const line = (cells: string[]) => cells.map((c, i) => cell(c, i, i === cells.length - 1)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)];
}

interface Shown {
  headers: string[];
  rows: Cell[][];
  json: readonly unknown[];
}

async function showTable(reference: ReferenceService, table: TableName | { standard: string }, o: { standard?: string; parent?: string }): Promise<Shown> {
  if (typeof table === 'object' || table === 'limits') {
    const standard = typeof table === 'object' ? table.standard : o.standard;
    const limits = await reference.listEmissionLimits({ standard });
    return {
      headers: ['id', 'standard', 'table', 'source category', 'pollutant', 'hj212', 'limit', 'unit', 'confidence'],
      rows: limits.map((l) => [l.id, l.standard, l.tableName, l.sourceCategory, l.pollutant, l.pollutantCode, limitLabel(l), l.unit, l.confidence]),
      json: limits,
    };
  }
  switch (table) {
    case 'regions': {
      const regions = await reference.listRegions({ parent: o.parent });
      return {
        headers: ['code', 'name', 'level', 'province', 'prefecture'],
        rows: regions.map((r) => [r.code, r.name, r.level, r.provinceName, r.prefectureName]),
        json: regions,
      };
    }
    case 'region-history': {
      // a 6-digit province or city code stands for its prefix ('330000' → '33', '330100' → '3301')
      const p = o.parent ?? '';
      const prefix = /^\d{6}$/.test(p) ? p.replace(/0000$/, '').replace(/00$/, '') : p;
      const regions = (await reference.listRegions({ includeHistorical: true })).filter((r) => r.code.startsWith(prefix));
      return {
        headers: ['code', 'name', 'level', 'status', 'from', 'to', 'successors'],
        rows: regions.map((r) => [r.code, r.name, r.level, r.status, r.validFromYear, r.validToYear, r.successors.map((x) => (x.year ? `${x.code}[${x.year}]` : x.code)).join(';')]),
        json: regions,
      };
    }
    case 'industries': {
      const industries = await reference.listIndustries({ parent: o.parent });
      return {
        headers: ['code', 'name', 'level', 'parent'],
        rows: industries.map((i) => [i.code, i.name, i.level, i.parent]),
        json: industries,
      };
    }
    case 'pollutants': {
      const pollutants = await reference.listPollutants();
      return {
        headers: ['code', 'name', 'medium', '2005', 'unit', 'amount unit', 'type', 'alias'],
        rows: pollutants.map((p) => [p.code, p.name, p.medium, p.code2005, p.unitConcentration, p.unitAmount, p.dataType, p.alias]),
        json: pollutants,
      };
    }
    case 'standards': {
      const standards = await reference.listStandards();
      return {
        headers: ['standard', 'limits', 'reference O2', 'tables'],
        rows: standards.map((s) => [s.standard, s.limitCount, s.referenceOxygen.map((x) => `${x.sourceCategory} ${x.percent}%`).join('; '), s.tables.join('; ')]),
        json: standards,
      };
    }
  }
}

function limitLabel(l: { direction: string; limitValue: number | null; limitHigh: number | null; limitText: string }): string {
  switch (l.direction) {
    case 'max':
      return `≤ ${l.limitValue}`;
    case 'min':
      return `≥ ${l.limitValue}`;
    case 'range':
      return `${l.limitValue}–${l.limitHigh}`;
    default:
      return l.limitText || '—';
  }
}

function loadedAt(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * `ecopermit reference list` and `ecopermit reference show TABLE`: read the loaded reference
 * data from the configured database.
 */
export function registerReferenceCommands(program: Command, ctx: CliContext) {
  const reference = program
    .command('reference')
    .description('Reference data: regions (GB/T 2260), industries (GB/T 4754), HJ 212 pollutant codes, emission limits / 基础数据');

  reference
    .command('list')
    .description('List the loaded reference data sets with edition, row count, load time and source / 已加载的数据集')
    .option('--json', 'print a JSON array')
    .addHelpText('after', '\nExample:\n  ecopermit reference list\n  ecopermit reference list --json')
    .action(async (o: { json?: boolean }) => {
      await ctx.withDatabase(async (database) => {
        const datasets = await createReferenceService({ db: database.db }).listDatasets();
        if (o.json) {
          ctx.out(JSON.stringify(datasets, null, 2));
          return;
        }
        const lines = formatTable(
          ['name', 'title', 'edition', 'rows', 'loaded at', 'source'],
          datasets.map((d) => [d.name, d.title, d.edition, d.rowCount, loadedAt(d.loadedAt), d.source]),
        );
        for (const l of lines) ctx.out(l);
      });
    });

  reference
    .command('show')
    .description(`Print one reference table: ${TABLES.join(', ')}, or a standard's limits by its name / 显示基础数据表`)
    .argument('<table>', `${TABLES.join(' | ')} | a standard name such as "GB 13271-2014"`)
    .option('--json', 'print a JSON array')
    .option('--standard <name>', 'limits: only this standard')
    .option('--parent <code>', "regions: '' for provinces, 2 digits for a province's children, 4 for a city's; region-history: a code prefix; industries: children of this code")
    .option('--limit <n>', 'print at most n rows')
    .addHelpText(
      'after',
      [
        '',
        'Tables:',
        '  regions         GB/T 2260 codes in use (all, or the children of --parent)',
        '  region-history  every code and period since 1981, with status and successor codes',
        '  industries      GB/T 4754-2017 sections, divisions, groups and classes',
        '  pollutants      HJ 212-2017 Appendix B pollutant codes (water and gas)',
        '  limits          emission-standard limits (--standard to pick one)',
        '  standards       the standards that have limits, with reference O2',
        '',
        'Examples:',
        '  ecopermit reference show regions --parent 33',
        '  ecopermit reference show region-history --parent 110103',
        '  ecopermit reference show "GB 13271-2014"',
        '  ecopermit reference show industries --parent 441 --json',
      ].join('\n'),
    )
    .action(async (table: string, o: { json?: boolean; standard?: string; parent?: string; limit?: string }) => {
      let limit: number | undefined;
      if (o.limit !== undefined) {
        limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 0) throw new ReferenceCliError(`--limit must be a whole number ≥ 0, not "${o.limit}"`, 2);
      }
      await ctx.withDatabase(async (database) => {
        const service = createReferenceService({ db: database.db });
        let which: TableName | { standard: string };
        if ((TABLES as readonly string[]).includes(table)) which = table as TableName;
        else {
          const standards = (await service.listStandards()).map((s) => s.standard);
          const match = standards.find((s) => s === table) ?? standards.find((s) => s.toLowerCase().replace(/\s+/g, '') === table.toLowerCase().replace(/\s+/g, ''));
          if (!match) {
            throw new ReferenceCliError(
              `unknown table "${table}"; use one of: ${TABLES.join(', ')} — or a standard: ${standards.map((s) => `"${s}"`).join(', ')}`,
              2,
            );
          }
          which = { standard: match };
        }
        const shown = await showTable(service, which, o);
        const total = shown.rows.length;
        if (o.json) {
          ctx.out(JSON.stringify(limit === undefined ? shown.json : shown.json.slice(0, limit), null, 2));
          return;
        }
        const rows = limit === undefined ? shown.rows : shown.rows.slice(0, limit);
        for (const l of formatTable(shown.headers, rows)) ctx.out(l);
        ctx.out(rows.length < total ? `(${rows.length} of ${total} rows)` : `(${total} ${total === 1 ? "row" : "rows"})`);
      });
    });
}

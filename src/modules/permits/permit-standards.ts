/**
 * A permit's limits against the standards they name: a permitted concentration may not be
 * looser than the applicable standard allows (条例 Art.11: emissions meet the standards). The
 * reference table has a standard's rows per facility type and table (existing, new, special
 * limits), and which one applies to a site is the quality review's question (issue 4); here a
 * limit looser than every row of its standard is an error, and one looser than the strictest
 * ordinary row (special limits aside: they bind key regions, a review rule) a warning to check
 * which table applies. Standards without rows in the table are not judged, and
 * rows the table marks as not confirmed only warn.
 */
import type { PermitContent } from '../../contracts/permits.ts';
import type { EmissionLimit } from '../reference/index.ts';
import type { ContentProblem } from './permit-content.ts';
import { canonicalStandard } from './platform-text.ts';

/**
 * What the check needs of one standard, pollutant, unit and direction, worked out once per table
 * snapshot: a sweep asks it for every pollutant row of hundreds of thousands of permits, and the
 * reference rows (their notes' regex, the per-category minima) are the same every time.
 */
interface StandardBounds {
  rows: EmissionLimit[];
  /** the loosest value any row allows, notes' allowances included */
  loosest: number;
  /** the loosest of the categories' strictest ordinary rows (Infinity when only special limits) */
  strictest: number;
  /** every row confirmed by the table */
  sure: boolean;
}

/** The reference rows by standard, pollutant, unit and direction, built once per table snapshot. */
const indexes = new WeakMap<readonly EmissionLimit[], Map<string, StandardBounds>>();
function indexOf(limits: readonly EmissionLimit[]) {
  let byKey = indexes.get(limits);
  if (byKey) return byKey;
  const grouped = new Map<string, EmissionLimit[]>();
  for (const l of limits) {
    if (!l.pollutantCode || l.limitValue === null) continue;
    const key = `${canonicalStandard(l.standard) ?? l.standard}|${l.pollutantCode}|${l.unit}|${l.direction}`;
    const list = grouped.get(key);
    if (list) list.push(l);
    else grouped.set(key, [l]);
  }
  byKey = new Map();
  for (const [key, rows] of grouped) {
    const values = rows.map((r) => r.limitValue!);
    // a row's note may allow more in some places ("550 mg/m3 for coal boilers located in Guangxi…")
    const allowances = rows.flatMap((r) => [...(r.note ?? '').matchAll(/(\d+(?:\.\d+)?)\s*mg\/m3/g)].map((m) => Number(m[1])));
    // The strictest ordinary row of each source category (coal, oil, gas boilers…: the permit
    // does not say which it is), and of those the loosest: a limit above it fits no category's
    // stricter table. Special limits (特别排放限值) bind key regions only: a review rule, not this.
    const byCategory = new Map<string, number>();
    for (const r of rows) {
      if (/特别/.test(r.tableName)) continue;
      const k = r.sourceCategory ?? '';
      byCategory.set(k, Math.min(byCategory.get(k) ?? Infinity, r.limitValue!));
    }
    byKey.set(key, {
      rows,
      loosest: Math.max(...values, ...allowances),
      strictest: byCategory.size ? Math.max(...byCategory.values()) : Infinity,
      // figures the reference table itself marks as unconfirmed give a warning, not a refusal
      sure: rows.every((r) => r.confidence === 'confirmed'),
    });
  }
  indexes.set(limits, byKey);
  return byKey;
}

export function checkAgainstStandards(c: PermitContent, limits: readonly EmissionLimit[]): ContentProblem[] {
  const out: ContentProblem[] = [];
  const byKey = indexOf(limits);
  for (const o of c.outlets) {
    for (const p of o.pollutants) {
      const limit = p.limit;
      if (!limit || limit.direction !== 'max') continue;
      const b = byKey.get(`${canonicalStandard(p.standard) ?? p.standard}|${p.pollutantCode}|${limit.unit}|max`);
      if (!b) continue;
      const { loosest, strictest } = b;
      if (limit.value > loosest) {
        const path = `outlets[${o.code}].pollutants[${p.pollutantCode}].limit.value`;
        out.push({ code: 'LIMIT_ABOVE_STANDARD', severity: b.sure ? 'error' : 'warning', path, zh: `许可排放浓度 ${limit.value} ${limit.unit} 高于 ${p.standard} 对该污染物的限值（最宽 ${loosest} ${limit.unit}）`, en: `the permitted ${limit.value} ${limit.unit} is looser than ${p.standard} allows for this pollutant (at most ${loosest} ${limit.unit})` });
      } else if (limit.value > strictest) {
        const path = `outlets[${o.code}].pollutants[${p.pollutantCode}].limit.value`;
        const tables = [...new Set(b.rows.filter((r) => r.limitValue! < limit.value && !/特别/.test(r.tableName)).map((r) => r.tableName))].join('；');
        out.push({ code: 'LIMIT_ABOVE_STRICTER_TABLE', severity: 'warning', path, zh: `许可排放浓度 ${limit.value} ${limit.unit} 高于 ${p.standard} 中较严的限值（${tables}；较严值最宽为 ${strictest}）：请核实适用哪一表`, en: `the permitted ${limit.value} ${limit.unit} is looser than stricter rows of ${p.standard} (${tables}; at most ${strictest}): check which table applies` });
      }
    }
  }
  return out;
}

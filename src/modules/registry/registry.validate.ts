import type { Actor } from '../../platform/actor.ts';
import { checkCreditCode, describeCreditCodeCheck } from './credit-code.ts';

/** Synchronous reference lookups (an in-memory snapshot), so row-by-row checks stay fast. */
export interface ReferenceLookup {
  isKnownRegion(code: string, opts: { allowHistorical: boolean }): boolean;
  resolveRegion(code: string): { name: string; current: boolean; validToYear: number | null; successors: string[] } | undefined;
  isIndustryClass(code: string): boolean;
  regionName(code: string): string | undefined;
  industryName(code: string): string | undefined;
}

export type FieldChecks = ReturnType<typeof createFieldChecks>;

export interface FieldProblem {
  field: string;
  value: string;
  zh: string;
  en: string;
}

/**
 * Field checks against reference data and the caller's jurisdiction, shared by the API forms
 * and the bulk import so both say the same thing about the same value.
 */
export function createFieldChecks(reference: ReferenceLookup) {
  return {
    region(actor: Actor, field: string, code: string): FieldProblem | null {
      if (!/^\d{6}$/.test(code)) return { field, value: code, zh: '行政区划代码须为 6 位数字', en: 'Region code must be 6 digits' };
      if (!reference.isKnownRegion(code, { allowHistorical: false })) {
        const old = reference.resolveRegion(code);
        if (old && !old.current) {
          const now = old.successors.join('、') || '无';
          return { field, value: code, zh: `区划代码 ${code}（${old.name}）已于 ${old.validToYear ?? ''} 年停用，现行代码：${now}`, en: `Region code ${code} (${old.name}) was withdrawn in ${old.validToYear ?? '?'}; current code(s): ${old.successors.join(', ') || 'none'}` };
        }
        return { field, value: code, zh: `未知的行政区划代码 ${code}`, en: `Unknown region code ${code}` };
      }
      if (!code.startsWith(actor.regionPrefix)) {
        return { field, value: code, zh: `区划 ${code} 不在您的辖区（${actor.regionPrefix || '全国'}）内`, en: `Region ${code} is outside your jurisdiction (${actor.regionPrefix || 'national'})` };
      }
      return null;
    },
    /** A code that exists or existed (an entity's registration region may be an old one). */
    knownRegion(field: string, code: string): FieldProblem | null {
      if (/^\d{6}$/.test(code) && reference.isKnownRegion(code, { allowHistorical: true })) return null;
      return { field, value: code, zh: `未知的行政区划代码 ${code}`, en: `Unknown region code ${code}` };
    },
    industry(field: string, code: string): FieldProblem | null {
      if (!/^\d{4}$/.test(code)) return { field, value: code, zh: '行业代码须为 GB/T 4754-2017 的 4 位小类代码', en: 'Industry must be a 4-digit GB/T 4754-2017 class code' };
      if (!reference.isIndustryClass(code)) return { field, value: code, zh: `GB/T 4754-2017 中没有行业小类 ${code}`, en: `GB/T 4754-2017 has no industry class ${code}` };
      return null;
    },
    /** Strict: the API requires a correct code; `cleaned` lets an import accept safe clean-ups. */
    creditCode(field: string, raw: string, allowCleanups: boolean): { code?: string; cleaned: boolean; problem: FieldProblem | null } {
      const c = checkCreditCode(raw);
      if (c.valid) return { code: raw, cleaned: false, problem: null };
      if (c.normalized && allowCleanups) return { code: c.normalized, cleaned: true, problem: null };
      const zh = describeCreditCodeCheck(c, 'zh');
      const en = describeCreditCodeCheck(c, 'en');
      const hint = c.normalized ? { zh: `（可自动清理为 ${c.normalized}）`, en: ` (safe clean-up gives ${c.normalized})` } : { zh: '', en: '' };
      return { cleaned: false, problem: { field, value: raw, zh: `统一社会信用代码有误：${zh}${hint.zh}`, en: `Invalid credit code: ${en}${hint.en}` } };
    },
  };
}

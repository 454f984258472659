/**
 * Permit numbers (排污许可证编号) as the national platform issues them (排污许可管理条例 Art. 12;
 * HJ 608-2017 Appendix A; ../shared/domain/identifiers.json):
 *
 *   stem (18) + site sequence (3 digits) + letter (1)      e.g. 91130200699229617X001P
 *
 * The stem is the holder's 统一社会信用代码 — or, for units without one, a stand-in code of the
 * 2016 trial rules: 'H9' + the issuing authority's 6-digit region code + 9 characters + one
 * lower-case letter. The last letter varies widely on the platform (P in the standard's
 * example, others in practice) and is not a check character.
 *
 * So a number is analysed, never refused: what the platform issued is accepted as written,
 * and what looks wrong (a credit code whose check character does not match, a sequence 000, a
 * length other than 22) is flagged as doubtful for a person to look at.
 */
import { checkCreditCode, describeCreditCodeCheck } from '../registry/index.ts';
import { ValidationError } from '../../platform/errors.ts';

export type FindingSeverity = 'warning' | 'notice';

export interface PermitNumberFinding {
  code: 'CLEANED' | 'LOWER_CASE' | 'LENGTH' | 'CREDIT_CODE_DOUBTFUL' | 'NOT_HOLDERS_CODE' | 'STAND_IN_CODE' | 'SITE_SEQUENCE_ZERO' | 'SITE_SEQUENCE_NOT_DIGITS' | 'LETTER_UNUSUAL' | 'UNRECOGNIZED';
  severity: FindingSeverity;
  zh: string;
  en: string;
}

export interface PermitNumberAnalysis {
  /** as given */
  input: string;
  /** as stored: invisible characters and spaces removed, full-width folded, upper case (but a stand-in code's own lower-case letter) */
  number: string;
  /** the 18-character stem when the number has the usual shape */
  stem: string | null;
  stemKind: 'credit-code' | 'stand-in' | null;
  siteSeq: number | null;
  letter: string | null;
  /** a warning was found: accept, but have a person check it */
  doubtful: boolean;
  findings: PermitNumberFinding[];
}

// Zero-width and other invisible characters, and every kind of space.
const INVISIBLE = /[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/gu;
const STAND_IN = /^H9\d{6}[0-9A-Za-z]{9}[a-z]$/;

/** Analyse a permit number; throws only for an empty one (nothing to analyse). */
export function analysePermitNumber(input: string): PermitNumberAnalysis {
  const findings: PermitNumberFinding[] = [];
  const cleaned = input.normalize('NFKC').replace(INVISIBLE, '');
  if (!cleaned) throw new ValidationError({ zh: '许可证编号为空', en: 'The permit number is empty' });
  if (cleaned !== input) findings.push({ code: 'CLEANED', severity: 'notice', zh: '已去除空白或不可见字符、全角转半角', en: 'spaces or invisible characters removed, full-width characters folded' });

  // A stand-in stem keeps its own lower-case letter; everything else is upper case.
  const standIn = cleaned.length >= 18 && STAND_IN.test(cleaned.slice(0, 18));
  const number = standIn ? cleaned.slice(0, 18) + cleaned.slice(18).toUpperCase() : cleaned.toUpperCase();
  if (number !== cleaned) findings.push({ code: 'LOWER_CASE', severity: 'notice', zh: '小写字母已转为大写', en: 'lower-case letters made upper case' });

  const result: PermitNumberAnalysis = { input, number, stem: null, stemKind: null, siteSeq: null, letter: null, doubtful: false, findings };
  if (number.length !== 22) {
    findings.push({ code: 'LENGTH', severity: 'warning', zh: `长度为 ${[...number].length} 位，通常为 22 位（18 位代码 + 3 位序号 + 1 位字母）`, en: `${[...number].length} characters long; usually 22 (18-character code + 3-digit sequence + 1 letter)` });
  }
  if (number.length >= 22) {
    const stem = number.slice(0, 18);
    const seq = number.slice(18, 21);
    const letter = number.slice(21, 22);
    result.stem = stem;
    if (standIn) {
      result.stemKind = 'stand-in';
      findings.push({ code: 'STAND_IN_CODE', severity: 'notice', zh: '前 18 位为无统一社会信用代码单位的替代代码（H9 + 行政区划代码）', en: 'the first 18 characters are a stand-in code for a unit without a credit code (H9 + region code)' });
    } else {
      result.stemKind = 'credit-code';
      const check = checkCreditCode(stem);
      if (!check.valid) {
        findings.push({
          code: 'CREDIT_CODE_DOUBTFUL',
          severity: 'warning',
          zh: `前 18 位不是有效的统一社会信用代码：${describeCreditCodeCheck(check, 'zh')}`,
          en: `the first 18 characters are not a valid credit code: ${describeCreditCodeCheck(check, 'en')}`,
        });
      }
    }
    if (/^\d{3}$/.test(seq)) {
      result.siteSeq = Number(seq);
      if (result.siteSeq === 0) findings.push({ code: 'SITE_SEQUENCE_ZERO', severity: 'warning', zh: '生产经营场所序号为 000（序号从 001 开始）', en: 'site sequence 000 (sequences start at 001)' });
    } else {
      findings.push({ code: 'SITE_SEQUENCE_NOT_DIGITS', severity: 'warning', zh: `第 19–21 位“${seq}”应为 3 位数字序号`, en: `characters 19–21 "${seq}" should be a 3-digit sequence` });
    }
    if (/^[A-Z]$/.test(letter)) {
      result.letter = letter;
      if (letter !== 'P') findings.push({ code: 'LETTER_UNUSUAL', severity: 'notice', zh: `末位字母为 ${letter}（标准示例为 P；全国平台上各不相同，不是校验码）`, en: `last letter ${letter} (P in the standard's example; it varies on the national platform and is not a check character)` });
    } else {
      findings.push({ code: 'UNRECOGNIZED', severity: 'warning', zh: `第 22 位“${letter}”应为字母`, en: `character 22 "${letter}" should be a letter` });
    }
  } else {
    findings.push({ code: 'UNRECOGNIZED', severity: 'warning', zh: '不是“代码 + 序号 + 字母”的结构', en: 'not shaped as code + sequence + letter' });
  }
  result.doubtful = findings.some((f) => f.severity === 'warning');
  return result;
}

/** The permit number the platform would issue for a site: stem + 3-digit sequence + letter. */
export function formatPermitNumber(stem: string, siteSeq: number, letter: string): string {
  if (!Number.isInteger(siteSeq) || siteSeq < 1 || siteSeq > 999) throw new ValidationError({ zh: `场所序号应为 1–999：${siteSeq}`, en: `The site sequence must be 1–999: ${siteSeq}` });
  if (!/^[A-Z]$/.test(letter)) throw new ValidationError({ zh: `末位应为一个大写字母：${letter}`, en: `The last character must be one capital letter: ${letter}` });
  if (stem.length !== 18) throw new ValidationError({ zh: `代码应为 18 位：${stem}`, en: `The code must be 18 characters: ${stem}` });
  return `${stem}${String(siteSeq).padStart(3, '0')}${letter}`;
}

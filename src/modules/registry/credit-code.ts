/**
 * 统一社会信用代码 (unified social credit code, USCC) — GB 32100-2015.
 *
 * 18 characters:
 *   pos 1     登记管理部门代码 (registration authority; may be a letter, e.g. Y)
 *   pos 2     机构类别代码 (entity type; may be a letter)
 *   pos 3-8   登记管理机关行政区划码 (GB/T 2260 region code — digits only)
 *   pos 9-17  主体标识码 (organisation code)
 *   pos 18    校验码 (check character)
 *
 * Alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (value = index; I, O, S, V, Z are never used),
 * weights 3^(i-1) mod 31, check = alphabet[(31 − Σ value·weight mod 31) mod 31].
 * See /work/shared/domain/REGULATIONS.md §2.2.
 *
 * Real registries are messy, so besides the strict validator this module has a diagnostic
 * checker (`checkCreditCode`) that separates *safe* clean-ups — ones that cannot change which
 * code is meant (invisible characters, whitespace, separators, case, full-width forms, a trailing
 * bracketed note) — from real errors. Look-alike substitutions (O→0, I→1, …) are never applied:
 * they are reported with a hint, because guessing could attach data to another organisation.
 */

export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const CREDIT_CODE_LENGTH = 18;

export type CreditCodeProblem = { code: string; zh: string; en: string; position?: number; char?: string };

export interface CreditCodeCheck {
  /** Exactly what was given. */
  input: string;
  /** True only if `input` itself is a valid code, with no clean-up needed. */
  valid: boolean;
  /** The code after the safe clean-ups, set only if that is a fully valid code. */
  normalized?: string;
  /** Safe clean-ups applied to get `normalized` (or attempted, when the result is still invalid). */
  cleanups: { code: string; zh: string; en: string }[];
  /**
   * What is wrong with the input as given, and — when the cleaned code is still invalid — with
   * the cleaned code. Positions of input-level problems (INVISIBLE_CHARACTER, WHITESPACE,
   * SEPARATOR, LOWERCASE, FULLWIDTH, BRACKET_SUFFIX, QUOTES) count characters (code points) of
   * `input` from 1; positions of code-level problems (FORBIDDEN_LETTER, INVALID_CHARACTER,
   * REGION_NOT_DIGITS, CHECK_MISMATCH) are positions 1..18 in the cleaned code.
   */
  problems: CreditCodeProblem[];
}

const VALUE = new Map<string, number>([...CREDIT_CODE_ALPHABET].map((c, i) => [c, i]));
const STRICT_RE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** Check character for the first 17 characters; undefined if the length is not 17 or a character is outside the alphabet. */
export function creditCodeCheckChar(first17: string): string | undefined {
  if (typeof first17 !== 'string' || first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = VALUE.get(first17[i]);
    if (v === undefined) return undefined;
    sum += v * CREDIT_CODE_WEIGHTS[i];
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Strict: exactly 18 characters of the alphabet, digits at 3-8, right check character. No clean-up. */
export function isValidCreditCode(code: string): boolean {
  if (typeof code !== 'string' || !STRICT_RE.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** Appends the check character (demo data, tests). Throws unless the result is a valid code. */
export function makeCreditCode(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    throw new Error(`makeCreditCode: expected 17 characters, got ${typeof first17 === 'string' ? first17.length : typeof first17}`);
  }
  const check = creditCodeCheckChar(first17);
  if (check === undefined) throw new Error(`makeCreditCode: character outside ${CREDIT_CODE_ALPHABET} in ${JSON.stringify(first17)}`);
  const code = first17 + check;
  if (!isValidCreditCode(code)) throw new Error(`makeCreditCode: positions 3-8 must be digits in ${JSON.stringify(first17)}`);
  return code;
}

// ---------------------------------------------------------------------------------------------
// Character classes used by the diagnostic checker
// ---------------------------------------------------------------------------------------------

/**
 * Invisible characters: every Unicode format character (Cf: zero-width space/joiners, word joiner,
 * BOM, soft hyphen, bidi marks/embeddings/isolates, …), variation selectors, the combining
 * grapheme joiner and Hangul fillers. They come from copy-paste out of web pages, PDFs and Word.
 */
const INVISIBLE_RE = /^(?:\p{Cf}|[\uFE00-\uFE0F\u034F\u115F\u1160\u3164\uFFA0]|\uDB40[\uDD00-\uDDEF])$/u;
const WHITESPACE_RE = /^\s$/u; // ASCII whitespace, NBSP, U+3000, U+2000-200A, …
/** Separators people put between groups of the code: ASCII and Unicode hyphens/dashes, underscores, dots. */
const SEPARATOR_RE = /^[-_.\u2010-\u2015\u2212\uFE58\uFE63\uFF0D\uFF3F\uFF0E\u2027\u00B7\u30FB\uFF65]$/u;
const OPEN_BRACKETS = '(（[［【〔〖';
const CLOSE_BRACKETS = ')）]］】〕〗';
/** Quotes around the code, and Excel's leading text-marker apostrophe. */
const QUOTES = `'"‘’“”\``;

/** The letters the alphabet leaves out, with the character they are most likely a mistyping of. */
const FORBIDDEN_HINTS: Record<string, { likely: string; zh: string; en: string }> = {
  O: { likely: '0', zh: '可能应为数字0', en: 'probably the digit 0' },
  I: { likely: '1', zh: '可能应为数字1', en: 'probably the digit 1' },
  Z: { likely: '2', zh: '可能应为数字2', en: 'probably the digit 2' },
  S: { likely: '5', zh: '可能应为数字5', en: 'probably the digit 5' },
  V: { likely: 'U', zh: '可能应为字母U或Y', en: 'probably the letter U or Y' },
};

const CHAR_NAMES: Record<string, { zh: string; en: string }> = {
  ' ': { zh: '空格', en: 'space' },
  '\t': { zh: '制表符', en: 'tab' },
  '\n': { zh: '换行符', en: 'line feed' },
  '\r': { zh: '回车符', en: 'carriage return' },
  '\u00A0': { zh: '不换行空格', en: 'no-break space' },
  '\u3000': { zh: '全角空格', en: 'ideographic (full-width) space' },
  '\u200B': { zh: '零宽空格', en: 'zero-width space' },
  '\u200C': { zh: '零宽非连接符', en: 'zero-width non-joiner' },
  '\u200D': { zh: '零宽连接符', en: 'zero-width joiner' },
  '\u2060': { zh: '零宽不换行符', en: 'word joiner' },
  '\uFEFF': { zh: '字节顺序标记(BOM)', en: 'byte order mark (BOM)' },
  '\u00AD': { zh: '软连字符', en: 'soft hyphen' },
  '\u200E': { zh: '从左到右标记', en: 'left-to-right mark' },
  '\u200F': { zh: '从右到左标记', en: 'right-to-left mark' },
  '\u202A': { zh: '从左到右嵌入符', en: 'left-to-right embedding' },
  '\u202B': { zh: '从右到左嵌入符', en: 'right-to-left embedding' },
  '\u202C': { zh: '方向格式结束符', en: 'pop directional formatting' },
  '\u202D': { zh: '从左到右覆盖符', en: 'left-to-right override' },
  '\u202E': { zh: '从右到左覆盖符', en: 'right-to-left override' },
  '-': { zh: '连字符', en: 'hyphen' },
  _: { zh: '下划线', en: 'underscore' },
  '.': { zh: '点', en: 'dot' },
};

/** "U+200B" (lone surrogates too). */
function codePointLabel(ch: string): string {
  return 'U+' + (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** Printable form of a character for messages: the name for invisible/space characters, else the character itself. */
function describeChar(ch: string): { zh: string; en: string } {
  const cp = codePointLabel(ch);
  const name = CHAR_NAMES[ch];
  if (name) return { zh: `${name.zh}（${cp}）`, en: `${name.en} (${cp})` };
  if (INVISIBLE_RE.test(ch) || WHITESPACE_RE.test(ch) || /^[\p{Cc}\p{Cs}\p{Co}\p{Cn}]$/u.test(ch)) {
    return { zh: `不可见字符（${cp}）`, en: `invisible character (${cp})` };
  }
  return { zh: `“${ch}”（${cp}）`, en: ch === "'" ? `"'" (${cp})` : `'${ch}' (${cp})` };
}

const CLEANUP_TEXT: Record<string, { zh: string; en: string }> = {
  REMOVED_INVISIBLE: { zh: '已删除不可见字符', en: 'removed invisible characters' },
  TRIMMED_WHITESPACE: { zh: '已去除首尾空白', en: 'trimmed surrounding whitespace' },
  REMOVED_WHITESPACE: { zh: '已删除中间的空白', en: 'removed inner whitespace' },
  REMOVED_BRACKET_SUFFIX: { zh: '已删除末尾括号内的附注', en: 'removed the trailing bracketed note' },
  REMOVED_QUOTES: { zh: '已删除引号', en: 'removed quotes' },
  REMOVED_SEPARATORS: { zh: '已删除分隔符', en: 'removed separators' },
  FULLWIDTH_TO_HALFWIDTH: { zh: '已将全角字符转为半角', en: 'converted full-width characters to half-width' },
  UPPERCASED: { zh: '已将小写字母转为大写', en: 'converted lowercase letters to uppercase' },
};

/** At most this many problems of one per-character kind are listed; the rest are summarised. */
const MAX_PER_KIND = 10;

interface Unit {
  ch: string;
  /** 1-based code-point position in the input. */
  pos: number;
}

class Collector {
  readonly problems: CreditCodeProblem[] = [];
  readonly cleanups: { code: string; zh: string; en: string }[] = [];
  private readonly counts = new Map<string, number>();

  cleanup(code: keyof typeof CLEANUP_TEXT): void {
    if (!this.cleanups.some((c) => c.code === code)) this.cleanups.push({ code, ...CLEANUP_TEXT[code] });
  }

  /** A problem that may occur once per character; only the first MAX_PER_KIND are kept verbatim. */
  perChar(p: CreditCodeProblem): void {
    const n = (this.counts.get(p.code) ?? 0) + 1;
    this.counts.set(p.code, n);
    if (n <= MAX_PER_KIND) this.problems.push(p);
  }

  /** Adds "…and N more" entries for per-character kinds that overflowed. */
  summarise(): void {
    for (const [code, n] of this.counts) {
      if (n > MAX_PER_KIND) {
        const more = n - MAX_PER_KIND;
        this.problems.push({ code, zh: `另有${more}处同类问题`, en: `${more} more of the same kind` });
      }
    }
  }

  /** One problem for a group of occurrences (e.g. all whitespace), naming the first one. */
  grouped(code: string, units: Unit[], zhWhat: string, enWhat: string): void {
    if (units.length === 0) return;
    const first = units[0];
    const d = describeChar(first.ch);
    const moreZh = units.length > 1 ? `等共${units.length}处` : '';
    const moreEn = units.length > 1 ? ` and ${units.length - 1} more` : '';
    this.problems.push({
      code,
      position: first.pos,
      char: first.ch,
      zh: `${zhWhat}：第${first.pos}个字符${d.zh}${moreZh}`,
      en: `${enWhat}: character ${first.pos} ${d.en}${moreEn}`,
    });
  }
}

function isWs(u: Unit): boolean {
  return WHITESPACE_RE.test(u.ch);
}

/** Removes one trailing bracketed note such as （总公司） or (1), if something precedes it. */
function stripBracketSuffix(units: Unit[]): Unit[] | undefined {
  const last = units[units.length - 1];
  if (!last || !CLOSE_BRACKETS.includes(last.ch)) return undefined;
  for (let i = units.length - 2; i >= 1; i--) {
    const ch = units[i].ch;
    if (OPEN_BRACKETS.includes(ch)) return units.slice(0, i);
    if (CLOSE_BRACKETS.includes(ch)) return undefined; // nested brackets: not a simple note
  }
  return undefined;
}

function trimUnits(units: Unit[], trimmed: Unit[]): Unit[] {
  let a = 0;
  let b = units.length;
  while (a < b && isWs(units[a])) trimmed.push(units[a++]);
  while (b > a && isWs(units[b - 1])) trimmed.push(units[--b]);
  return units.slice(a, b);
}

/**
 * Diagnoses a credit-code field: whether it is valid as given, which safe clean-ups turn it into a
 * valid code (`normalized`), and precise zh/en problems otherwise. Never throws.
 */
export function checkCreditCode(input: string): CreditCodeCheck {
  const given = typeof input === 'string' ? input : String(input ?? '');
  if (isValidCreditCode(given)) return { input: given, valid: true, normalized: given, cleanups: [], problems: [] };

  const out = new Collector();
  let units: Unit[] = Array.from(given, (ch, i) => ({ ch, pos: i + 1 }));

  // 1. Invisible characters — reported one by one: they are the hardest for a user to find.
  const visible: Unit[] = [];
  for (const u of units) {
    if (INVISIBLE_RE.test(u.ch)) {
      const d = describeChar(u.ch);
      out.perChar({
        code: 'INVISIBLE_CHARACTER',
        position: u.pos,
        char: u.ch,
        zh: `第${u.pos}个字符是${d.zh}`,
        en: `character ${u.pos} is an ${d.en.startsWith('invisible') ? d.en : `invisible ${d.en}`}`,
      });
      out.cleanup('REMOVED_INVISIBLE');
    } else visible.push(u);
  }
  units = visible;

  // 2. Surrounding whitespace, quotes and trailing bracketed notes, repeated until stable so that
  //    e.g. `"91…K" （总公司） ` is fully unwrapped.
  const whitespace: Unit[] = [];
  const brackets: Unit[][] = [];
  const quotes: Unit[] = [];
  for (;;) {
    const before = units.length;
    units = trimUnits(units, whitespace);
    const stripped = stripBracketSuffix(units);
    if (stripped && stripped.some((u) => !isWs(u))) {
      brackets.push(units.slice(stripped.length));
      units = stripped;
    }
    if (units.length >= 2 && QUOTES.includes(units[0].ch) && QUOTES.includes(units[units.length - 1].ch)) {
      quotes.push(units[0], units[units.length - 1]);
      units = units.slice(1, -1);
    } else if (units.length >= 1 && (units[0].ch === "'" || units[0].ch === '‘')) {
      quotes.push(units[0]); // Excel's text marker
      units = units.slice(1);
    }
    if (units.length === before) break;
  }
  if (whitespace.length > 0) out.cleanup('TRIMMED_WHITESPACE');
  if (quotes.length > 0) out.cleanup('REMOVED_QUOTES');
  if (brackets.length > 0) out.cleanup('REMOVED_BRACKET_SUFFIX');

  // 3. Inner whitespace and separators (grouping like `9111 0000 …` or `91-110000-…`).
  const cleaned: Unit[] = [];
  const separators: Unit[] = [];
  for (const u of units) {
    if (isWs(u)) {
      whitespace.push(u);
      out.cleanup('REMOVED_WHITESPACE');
    } else if (SEPARATOR_RE.test(u.ch)) {
      separators.push(u);
      out.cleanup('REMOVED_SEPARATORS');
    } else cleaned.push(u);
  }

  // 4. Full-width letters/digits → half-width, then lowercase → uppercase.
  const fullwidth: Unit[] = [];
  const lowercase: Unit[] = [];
  const code: Unit[] = cleaned.map((u) => {
    let ch = u.ch;
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) {
      ch = String.fromCharCode(cp - 0xfee0);
      fullwidth.push(u);
      out.cleanup('FULLWIDTH_TO_HALFWIDTH');
    }
    if (ch >= 'a' && ch <= 'z') {
      ch = ch.toUpperCase();
      lowercase.push(u);
      out.cleanup('UPPERCASED');
    }
    return { ch, pos: u.pos };
  });

  whitespace.sort((a, b) => a.pos - b.pos);
  out.grouped('WHITESPACE', whitespace, '含有空白字符', 'contains whitespace');
  out.grouped('QUOTES', quotes.sort((a, b) => a.pos - b.pos), '含有引号', 'contains quotes');
  for (const b of brackets.reverse()) {
    const text = b.map((u) => u.ch).join('');
    out.problems.push({
      code: 'BRACKET_SUFFIX',
      position: b[0].pos,
      char: b[0].ch,
      zh: `末尾有括号附注“${text}”（从第${b[0].pos}个字符起）`,
      en: `trailing bracketed note '${text}' (from character ${b[0].pos})`,
    });
  }
  out.grouped('SEPARATOR', separators, '含有分隔符', 'contains separators');
  out.grouped('FULLWIDTH', fullwidth, '含有全角字符', 'contains full-width characters');
  out.grouped('LOWERCASE', lowercase, '含有小写字母', 'contains lowercase letters');

  const candidate = code.map((u) => u.ch).join('');
  if (isValidCreditCode(candidate)) {
    out.summarise();
    return { input: given, valid: false, normalized: candidate, cleanups: out.cleanups, problems: out.problems };
  }

  diagnoseCode(code.map((u) => u.ch), out);
  out.summarise();
  return { input: given, valid: false, cleanups: out.cleanups, problems: out.problems };
}

/** Code-level problems of the cleaned characters (positions 1..n within the cleaned code). */
function diagnoseCode(chars: string[], out: Collector): void {
  if (chars.length === 0) {
    out.problems.push({ code: 'EMPTY', zh: '统一社会信用代码为空', en: 'the credit code is empty' });
    return;
  }

  // Would replacing the look-alike letters by their likely characters give a valid code? Only a
  // hint for the user: it is never applied automatically.
  const forbidden = chars.some((c) => c in FORBIDDEN_HINTS);
  const guess = forbidden ? chars.map((c) => FORBIDDEN_HINTS[c]?.likely ?? c).join('') : '';
  let suggest = forbidden && isValidCreditCode(guess); // attached to the first FORBIDDEN_LETTER only

  chars.forEach((ch, i) => {
    const pos = i + 1;
    if (VALUE.has(ch)) return;
    const hint = FORBIDDEN_HINTS[ch];
    if (hint) {
      const guessOk = suggest;
      suggest = false;
      out.perChar({
        code: 'FORBIDDEN_LETTER',
        position: pos,
        char: ch,
        zh: `第${pos}位是字母${ch}，统一社会信用代码不使用${ch}（${hint.zh}）${guessOk ? `；按此更正为${guess}可通过校验` : ''}`,
        en: `position ${pos} is the letter ${ch}, which credit codes never use (${hint.en})${guessOk ? `; corrected to ${guess} the code passes the check` : ''}`,
      });
    } else {
      const d = describeChar(ch);
      out.perChar({
        code: 'INVALID_CHARACTER',
        position: pos,
        char: ch,
        zh: `第${pos}位是无效字符${d.zh}`,
        en: `position ${pos} has the invalid character ${d.en}`,
      });
    }
  });

  if (chars.length !== CREDIT_CODE_LENGTH) {
    const diff = chars.length < CREDIT_CODE_LENGTH ? `少${CREDIT_CODE_LENGTH - chars.length}位` : `多${chars.length - CREDIT_CODE_LENGTH}位`;
    out.problems.push({
      code: 'WRONG_LENGTH',
      zh: `长度为${chars.length}位，应为18位（${diff}）`,
      en: `length is ${chars.length}, expected 18`,
    });
  }

  // Region code: only meaningful when the code is not wildly off in length.
  if (chars.length >= 8 && chars.length <= CREDIT_CODE_LENGTH + 2) {
    for (let i = 2; i < 8; i++) {
      const ch = chars[i];
      if (VALUE.has(ch) && !(ch >= '0' && ch <= '9')) {
        out.perChar({
          code: 'REGION_NOT_DIGITS',
          position: i + 1,
          char: ch,
          zh: `第${i + 1}位是“${ch}”，第3-8位为行政区划码，只能是数字`,
          en: `position ${i + 1} is '${ch}', but positions 3-8 (region code) must be digits`,
        });
      }
    }
  }

  if (chars.length === CREDIT_CODE_LENGTH) {
    const expected = creditCodeCheckChar(chars.slice(0, 17).join(''));
    const got = chars[17];
    if (expected !== undefined && expected !== got) {
      out.problems.push({
        code: 'CHECK_MISMATCH',
        position: 18,
        char: got,
        zh: `校验码不符：应为${expected}，实际为${got}`,
        en: `check character mismatch: expected ${expected}, got ${got}`,
      });
    }
  }
}

/** Code-level problems come first in one-line descriptions: they say why the code is rejected. */
const DESCRIBE_ORDER = ['EMPTY', 'WRONG_LENGTH', 'FORBIDDEN_LETTER', 'INVALID_CHARACTER', 'REGION_NOT_DIGITS', 'CHECK_MISMATCH'];

/** One-line reason, e.g. "check character mismatch: expected K, got 3". */
export function describeCreditCodeCheck(c: CreditCodeCheck, lang: 'zh' | 'en'): string {
  const sep = lang === 'zh' ? '；' : '; ';
  if (c.valid) return lang === 'zh' ? '统一社会信用代码有效' : 'valid credit code';
  if (c.normalized !== undefined) {
    const what = c.cleanups.map((x) => x[lang]).join(lang === 'zh' ? '，' : ', ');
    return lang === 'zh' ? `清理后有效：${c.normalized}（${what}）` : `valid after clean-up: ${c.normalized} (${what})`;
  }
  const codeLevel = c.problems
    .filter((p) => DESCRIBE_ORDER.includes(p.code))
    .sort((a, b) => DESCRIBE_ORDER.indexOf(a.code) - DESCRIBE_ORDER.indexOf(b.code));
  const shown = (codeLevel.length > 0 ? codeLevel : c.problems).slice(0, 2).map((p) => p[lang]);
  if (shown.length === 0) return lang === 'zh' ? '统一社会信用代码无效' : 'invalid credit code';
  return shown.join(sep);
}

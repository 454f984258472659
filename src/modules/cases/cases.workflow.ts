/**
 * The procedures (许可办件) as state machines, and their legal time limits. Pure: no database,
 * no clock; the service passes today's date and the calendar in.
 *
 * Three families:
 * - applications (首次申请 first, 变更 change, 延续 renewal, 重新申请 reapplication): the unit applies;
 *   the permit department accepts (受理) or asks once for what is missing (补正, 条例 Art.9(4)) or
 *   refuses to accept (不予受理); may have a technical evaluation (技术评估) done; decides (准予/不予许可).
 * - registration (排污登记): a filing the department records or returns for correction.
 * - authority cases (注销 cancellation, 撤销 revocation, 吊销 penalty revocation): opened by the
 *   department (a cancellation also at the unit's request); a penalty revocation first notifies the
 *   party of its right to a hearing (行政处罚法 Art.44, 63).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseAction, CaseKind, CaseParty, CaseState } from '../../contracts/cases.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import type { DayCount, WorkCalendar } from '../../platform/work-calendar.ts';
import { REFERENCE_DATA_DIR } from '../reference/index.ts';

export type Family = 'application' | 'registration' | 'authority';

export function familyOf(kind: CaseKind): Family {
  if (kind === 'registration') return 'registration';
  if (kind === 'cancellation' || kind === 'revocation' || kind === 'penaltyRevocation') return 'authority';
  return 'application';
}

export interface Transition {
  from: readonly CaseState[];
  action: CaseAction;
  to: CaseState;
  party: CaseParty | 'official-or-evaluator';
  /** a reason is part of the step (refusals, returns, decisions against the unit) */
  reasonRequired: boolean;
  /** only for these kinds of the family */
  kinds?: readonly CaseKind[];
}

const BEFORE_DECISION = ['accepted', 'under_evaluation', 'evaluated'] as const;

const TRANSITIONS: Record<Family, readonly Transition[]> = {
  application: [
    { from: ['draft', 'supplement_requested'], action: 'submit', to: 'submitted', party: 'applicant', reasonRequired: false },
    { from: ['submitted'], action: 'request_supplement', to: 'supplement_requested', party: 'official', reasonRequired: false },
    { from: ['submitted'], action: 'accept', to: 'accepted', party: 'official', reasonRequired: false },
    { from: ['submitted', 'supplement_requested'], action: 'not_accept', to: 'not_accepted', party: 'official', reasonRequired: true },
    { from: ['accepted'], action: 'assign_evaluation', to: 'under_evaluation', party: 'official', reasonRequired: false },
    { from: ['under_evaluation'], action: 'complete_evaluation', to: 'evaluated', party: 'official-or-evaluator', reasonRequired: true },
    { from: ['accepted', 'evaluated'], action: 'approve', to: 'approved', party: 'official', reasonRequired: false },
    { from: BEFORE_DECISION, action: 'refuse', to: 'refused', party: 'official', reasonRequired: true },
    { from: ['draft', 'submitted', 'supplement_requested', ...BEFORE_DECISION], action: 'withdraw', to: 'withdrawn', party: 'applicant', reasonRequired: false },
  ],
  registration: [
    { from: ['draft', 'returned'], action: 'submit', to: 'submitted', party: 'applicant', reasonRequired: false },
    { from: ['submitted'], action: 'record', to: 'recorded', party: 'official', reasonRequired: false },
    { from: ['submitted'], action: 'return', to: 'returned', party: 'official', reasonRequired: true },
    { from: ['draft', 'returned', 'submitted'], action: 'withdraw', to: 'withdrawn', party: 'applicant', reasonRequired: false },
  ],
  authority: [
    { from: ['opened'], action: 'notify_hearing', to: 'hearing_notified', party: 'official', reasonRequired: true, kinds: ['penaltyRevocation'] },
    { from: ['opened'], action: 'decide', to: 'decided', party: 'official', reasonRequired: true, kinds: ['cancellation', 'revocation'] },
    { from: ['hearing_notified'], action: 'decide', to: 'decided', party: 'official', reasonRequired: true, kinds: ['penaltyRevocation'] },
    { from: ['opened', 'hearing_notified'], action: 'drop', to: 'dropped', party: 'official', reasonRequired: true },
  ],
};

/** States a case of the family can be in, first the one it starts in. */
export const STATES: Record<Family, readonly CaseState[]> = {
  application: ['draft', 'submitted', 'supplement_requested', 'accepted', 'under_evaluation', 'evaluated', 'approved', 'refused', 'not_accepted', 'withdrawn'],
  registration: ['draft', 'submitted', 'returned', 'recorded', 'withdrawn'],
  authority: ['opened', 'hearing_notified', 'decided', 'dropped'],
};

/** Ended: no step leads out. */
export const ENDED_STATES: readonly CaseState[] = ['approved', 'refused', 'not_accepted', 'withdrawn', 'recorded', 'decided', 'dropped'];

/** Waiting on the applicant: the authority's clock does not run. */
const APPLICANT_TURN: readonly CaseState[] = ['draft', 'supplement_requested', 'returned'];

export function initialState(kind: CaseKind): CaseState {
  return STATES[familyOf(kind)][0];
}

/** Who may open a case of this kind. */
export function openers(kind: CaseKind): readonly CaseParty[] {
  const family = familyOf(kind);
  if (family !== 'authority') return ['applicant'];
  // A unit may ask for its own permit to be cancelled (注销); revocations are the authority's alone.
  return kind === 'cancellation' ? ['official', 'applicant'] : ['official'];
}

/** The step `action` from `state`, or undefined when the machine has none. */
export function transitionFor(kind: CaseKind, state: CaseState, action: CaseAction): Transition | undefined {
  return TRANSITIONS[familyOf(kind)].find((t) => t.action === action && t.from.includes(state) && (!t.kinds || t.kinds.includes(kind)));
}

export function partyMayTake(t: Transition, parties: ReadonlySet<CaseParty>): boolean {
  return t.party === 'official-or-evaluator' ? parties.has('official') || parties.has('evaluator') : parties.has(t.party);
}

/** The steps open to someone acting as `parties` on a case in `state`. */
export function allowedActions(kind: CaseKind, state: CaseState, parties: ReadonlySet<CaseParty>): CaseAction[] {
  return TRANSITIONS[familyOf(kind)].filter((t) => t.from.includes(state) && (!t.kinds || t.kinds.includes(kind)) && partyMayTake(t, parties)).map((t) => t.action);
}

/** Every action name any family uses (for the property tests). */
export function allTransitions(kind: CaseKind): readonly Transition[] {
  return TRANSITIONS[familyOf(kind)].filter((t) => !t.kinds || t.kinds.includes(kind));
}

// -- rules as data ----------------------------------------------------------------------------------

interface Rule {
  id: string;
  value?: number;
  unit?: string;
  source: string;
  ref?: string;
  confidence: string;
}

interface CaseRules {
  time_limits: {
    acceptance_notice: string;
    first: Record<'key' | 'key_on_site' | 'simplified', string>;
    reapplication: Record<'key' | 'key_on_site' | 'simplified', string>;
    renewal: string;
    change: string;
  };
  rules: Rule[];
  application_materials: Record<string, string[]>;
  on_site_ratio: { target: number; kinds: CaseKind[]; source: string };
}

export interface LifecycleRules {
  byId: Map<string, Rule>;
  cases: CaseRules;
  /** days of a rule that counts days (throws for a rule that is not a day count) */
  days(id: string): number;
}

let loaded: LifecycleRules | undefined;

/** permit-lifecycle.json and case-rules.json (reference-data/permit-lifecycle), read once. */
export function lifecycleRules(): LifecycleRules {
  if (loaded) return loaded;
  const read = (name: string) => JSON.parse(readFileSync(join(REFERENCE_DATA_DIR, 'permit-lifecycle', name), 'utf8'));
  const lifecycle = read('permit-lifecycle.json') as { rules: Rule[]; registration?: Rule[] };
  const cases = read('case-rules.json') as CaseRules;
  const byId = new Map<string, Rule>([...lifecycle.rules, ...(lifecycle.registration ?? []), ...cases.rules].map((r) => [r.id, r]));
  const days = (id: string) => {
    const r = byId.get(id);
    if (!r || r.unit !== 'days' || !Number.isInteger(r.value)) throw new Error(`permit lifecycle rule ${id} is not a day count`);
    return r.value!;
  };
  // Every rule the time-limit table names must exist and count days: found at start-up, not when a case needs it.
  const t = cases.time_limits;
  for (const id of [t.acceptance_notice, t.renewal, t.change, ...Object.values(t.first), ...Object.values(t.reapplication)]) days(id);
  loaded = { byId, cases, days };
  return loaded;
}

/** The rule giving the authority's decision period for an accepted application. */
export function decisionRule(kind: CaseKind, category: ManagementCategory | null, onSite: boolean, rules: LifecycleRules = lifecycleRules()): string | null {
  const t = rules.cases.time_limits;
  if (kind === 'renewal') return t.renewal;
  if (kind === 'change') return t.change;
  if (kind === 'first' || kind === 'reapplication') {
    const table = t[kind];
    // Only key-management applications get the longer period when checked on site (条例 Art.12).
    return category === 'key' ? (onSite ? table.key_on_site : table.key) : table.simplified;
  }
  return null;
}

export interface DueInput {
  kind: CaseKind;
  state: CaseState;
  /** null while unknown (a draft without content): counted as the shortest period */
  category: ManagementCategory | null;
  onSite: boolean;
  /** the day the (last) submission was received */
  receivedOn: string | null;
  acceptedOn: string | null;
  /** renewals: the permit's last valid day */
  permitValidTo: string | null;
  /** days spent in technical evaluation, in the same counting: not counted (行政许可法 Art.45) */
  evaluationDays?: number;
  today: string;
}

export interface Due {
  date: string | null;
  rule: string | null;
  counting: DayCount;
  overdue: boolean;
  near: boolean;
  workingDaysLeft: number | null;
  deemedAccepted: boolean;
  approximate: boolean;
}

/**
 * The authority's due date for its next step. While an application waits for acceptance, the
 * limit is the 3-day notice of missing materials (条例 Art.9(4)); past it the application counts
 * as accepted on the day it was received, and the decision period runs from then. After
 * acceptance, the decision period of the kind (and category, and on-site check) runs from the
 * acceptance, or from receipt if the acceptance came after the notice period. A renewal is due
 * no later than the permit's last valid day (行政许可法 Art.50).
 */
export function caseDue(c: DueInput, calendar: WorkCalendar, counting: DayCount, nearDays: number, rules: LifecycleRules = lifecycleRules()): Due {
  const none: Due = { date: null, rule: null, counting, overdue: false, near: false, workingDaysLeft: null, deemedAccepted: false, approximate: false };
  if (familyOf(c.kind) !== 'application' || ENDED_STATES.includes(c.state) || APPLICANT_TURN.includes(c.state) || !c.receivedOn) return none;
  // While the technical evaluation runs the clock stands still (行政许可法 Art.45).
  if (c.state === 'under_evaluation') return { ...none, rule: 'expert_review_excluded' };
  const noticeRule = rules.cases.time_limits.acceptance_notice;
  const notice = calendar.deadline(c.receivedOn, rules.days(noticeRule), counting);
  // A renewal is decided before the permit ends, whichever limit comes first.
  const capped = (date: string, rule: string) => (c.kind === 'renewal' && c.permitValidTo && c.permitValidTo < date ? { date: c.permitValidTo, rule: 'renewal_decide_before_expiry' } : { date, rule });
  let start: string;
  let deemedAccepted: boolean;
  if (c.state === 'submitted') {
    if (c.today <= notice.date) return finish({ ...none, ...capped(notice.date, noticeRule), approximate: notice.approximate });
    start = c.receivedOn;
    deemedAccepted = true;
  } else {
    const accepted = c.acceptedOn ?? c.receivedOn;
    deemedAccepted = accepted > notice.date;
    start = deemedAccepted ? c.receivedOn : accepted;
  }
  const ruleId = decisionRule(c.kind, c.category, c.onSite, rules)!;
  const d = calendar.deadline(start, rules.days(ruleId) + (c.evaluationDays ?? 0), counting);
  return finish({ ...none, ...capped(d.date, ruleId), deemedAccepted, approximate: d.approximate });

  function finish(due: Due): Due {
    const left = calendar.workingDaysBetween(c.today, due.date!);
    const overdue = c.today > due.date!;
    return { ...due, workingDaysLeft: left, overdue, near: !overdue && left <= nearDays };
  }
}

/** Attachment kinds an application must carry to be accepted (条例 Art.8). */
export function requiredMaterials(kind: CaseKind, rules: LifecycleRules = lifecycleRules()): readonly string[] {
  return rules.cases.application_materials[kind] ?? [];
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaseAction, CaseKind, CaseParty, type CaseState } from '../../contracts/cases.ts';
import { chinaWorkCalendar } from '../../platform/work-calendar.ts';
import { allowedActions, allTransitions, caseDue, decisionRule, ENDED_STATES, familyOf, initialState, partyMayTake, STATES, transitionFor, type DueInput } from './cases.workflow.ts';

const cal = chinaWorkCalendar();
const all = new Set<CaseParty>(['applicant', 'official', 'evaluator']);

describe('case state machines', () => {
  it('refuses steps the machine does not have', () => {
    expect(transitionFor('first', 'draft', 'approve')).toBeUndefined();
    expect(transitionFor('first', 'approved', 'refuse')).toBeUndefined();
    expect(transitionFor('first', 'under_evaluation', 'approve')).toBeUndefined(); // the evaluation comes first
    expect(transitionFor('penaltyRevocation', 'opened', 'decide')).toBeUndefined(); // the hearing notice comes first
    expect(transitionFor('revocation', 'opened', 'decide')?.to).toBe('decided');
    expect(transitionFor('registration', 'submitted', 'accept')).toBeUndefined();
  });

  it('says who takes each step', () => {
    expect(allowedActions('first', 'submitted', new Set(['applicant']))).toEqual(['withdraw']);
    expect(allowedActions('first', 'submitted', new Set(['official']))).toEqual(['request_supplement', 'accept', 'not_accept']);
    expect(allowedActions('first', 'under_evaluation', new Set(['evaluator']))).toEqual(['complete_evaluation']);
    expect(allowedActions('penaltyRevocation', 'opened', new Set(['official']))).toEqual(['notify_hearing', 'drop']);
    expect(allowedActions('cancellation', 'opened', new Set(['applicant']))).toEqual([]);
  });

  it('ended states have no way out; every state of a family is reachable from its start', () => {
    for (const kind of CaseKind.options) {
      const family = familyOf(kind);
      for (const s of ENDED_STATES) expect(allowedActions(kind, s, all)).toEqual([]);
      const seen = new Set<CaseState>([initialState(kind)]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const t of allTransitions(kind)) {
          if (t.from.some((f) => seen.has(f)) && !seen.has(t.to)) {
            seen.add(t.to);
            grew = true;
          }
        }
      }
      // Each kind reaches the states of its family that apply to it.
      const expected = STATES[family].filter((s) => !(kind !== 'penaltyRevocation' && s === 'hearing_notified'));
      expect([...seen].sort(), kind).toEqual([...expected].sort());
    }
  });

  it('property: no sequence of actions by anyone reaches a state the machine does not allow', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CaseKind.options),
        fc.array(fc.record({ action: fc.constantFrom(...CaseAction.options), party: fc.constantFrom(...CaseParty.options) }), { maxLength: 40 }),
        (kind, steps) => {
          const family = familyOf(kind);
          let state = initialState(kind);
          for (const { action, party } of steps) {
            const t = transitionFor(kind, state, action);
            const offered = allowedActions(kind, state, new Set([party]));
            // What the queue offers is exactly what the machine would take from that party.
            expect(offered.includes(action)).toBe(!!t && partyMayTake(t, new Set([party])));
            if (!t || !partyMayTake(t, new Set([party]))) continue;
            expect(t.from).toContain(state);
            state = t.to;
            expect(STATES[family]).toContain(state);
            if (kind === 'penaltyRevocation' && state === 'decided') {
              // never decided without the hearing notice
              expect(t.from).toEqual(['hearing_notified']);
            }
          }
        },
      ),
      { seed: 20261129, numRuns: 2000 },
    );
  });
});

describe('time limits (hand-checked on the 2026 calendar)', () => {
  const base: DueInput = { kind: 'first', state: 'submitted', category: 'key', onSite: false, receivedOn: '2026-02-12', acceptedOn: null, permitValidTo: null, today: '2026-02-13' };
  const due = (over: Partial<DueInput>, counting: 'working' | 'calendar' = 'working') => caseDue({ ...base, ...over }, cal, counting, 3);

  it('the 3-day notice runs across the Spring Festival and its moved workday', () => {
    // received Thu 02-12: Fri 13 (1), Sat 14 moved workday (2), 15–23 holiday, Tue 24 (3)
    expect(due({})).toMatchObject({ date: '2026-02-24', rule: 'incomplete_materials_notice', overdue: false, near: true, deemedAccepted: false });
  });

  it('past the notice period the application counts as accepted on receipt', () => {
    // 20 working days (simplified) from 02-12: 13, 14, 24, 25, 26, 27, 28 (moved), 3/2 … 3/18
    expect(due({ category: 'simplified', today: '2026-02-25' })).toMatchObject({ date: '2026-03-18', rule: 'approval_simplified', deemedAccepted: true });
    // accepted late (after the notice period): still counted from receipt
    expect(due({ state: 'accepted', category: 'simplified', acceptedOn: '2026-02-26', today: '2026-02-26' })).toMatchObject({ date: '2026-03-18', deemedAccepted: true });
  });

  it('decision periods by category and on-site check, in working or calendar days', () => {
    const accepted = { state: 'accepted' as const, acceptedOn: '2026-09-28', receivedOn: '2026-09-28', today: '2026-09-29' };
    // 30 working days from Mon 09-28: 29, 30, (10-1..10-7 holiday), 8, 9, 10 (Sat moved) … 11-13
    expect(due({ ...accepted })).toMatchObject({ date: '2026-11-13', rule: 'approval_key' });
    expect(due({ ...accepted, onSite: true })).toMatchObject({ rule: 'approval_key_onsite' });
    expect(due({ ...accepted, onSite: true }).date! > '2026-11-13').toBe(true);
    // simplified ignores the on-site check
    expect(due({ ...accepted, category: 'simplified', onSite: true }).rule).toBe('approval_simplified');
    // calendar days: 02-12 + 20 = 03-04 (a Wednesday, no extension)
    expect(due({ state: 'accepted', acceptedOn: '2026-02-12', category: 'simplified' }, 'calendar')).toMatchObject({ date: '2026-03-04', counting: 'calendar' });
  });

  it('a renewal is due no later than the permit\'s last valid day', () => {
    expect(due({ kind: 'renewal', state: 'accepted', acceptedOn: '2026-03-02', receivedOn: '2026-03-02', permitValidTo: '2026-03-10', today: '2026-03-02' })).toMatchObject({ date: '2026-03-10', rule: 'renewal_decide_before_expiry' });
  });

  it('no clock while the applicant has the case, after the end, or for authority cases', () => {
    for (const over of [{ state: 'draft' as const }, { state: 'supplement_requested' as const }, { state: 'approved' as const }, { kind: 'revocation' as const, state: 'opened' as const }]) {
      expect(due(over).date).toBeNull();
    }
  });

  it('overdue and near-due flags, with working days left', () => {
    const d = due({ state: 'accepted', acceptedOn: '2026-02-12', category: 'simplified', today: '2026-03-19' });
    expect(d).toMatchObject({ date: '2026-03-18', overdue: true, near: false, workingDaysLeft: -1 });
    expect(due({ state: 'accepted', acceptedOn: '2026-02-12', category: 'simplified', today: '2026-03-13' })).toMatchObject({ overdue: false, near: true, workingDaysLeft: 3 });
    expect(due({ state: 'accepted', acceptedOn: '2026-02-12', category: 'simplified', today: '2026-03-12' })).toMatchObject({ near: false, workingDaysLeft: 4 });
  });

  it('rules come from the data', () => {
    expect(decisionRule('change', 'key', false)).toBe('change_review');
    expect(decisionRule('registration', 'registration', false)).toBeNull();
  });
});

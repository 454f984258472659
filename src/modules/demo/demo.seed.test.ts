// The demo region on a real database: units, users, and permits whose content passes the
// permit checks, some with a second version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers.ts';
import { fixedClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db.ts';
import { checkPermitContent } from '../permits/index.ts';
import { seedDemo } from './index.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

describe('the demo region', () => {
  it('loads units, users and permits whose content passes the checks, some changed once', async () => {
    const clock = fixedClock('2026-11-29T02:00:00Z');
    const r = await seedDemo(database, { clock, units: 300, seed: 11 });
    expect(r).toMatchObject({ units: 300, permits: 30 });
    const all = (await database.pool.query("select p.permit_number, p.current_version, v.content, v.created_by, u.management_category from permit p join permit_version v on v.permit_id = p.id and v.version_no = p.current_version join registry_unit u on u.id = p.unit_id")).rows;
    // the demo's 30 permits (the demo cases issue more: checked below with the rest)
    const rows = all.filter((x) => x.created_by === 'demo-seed');
    expect(rows).toHaveLength(30);
    for (const row of all) expect(checkPermitContent(row.content).filter((p) => p.severity === 'error')).toEqual([]);
    for (const row of rows) {
      expect(checkPermitContent(row.content).filter((p) => p.severity === 'error')).toEqual([]);
      expect(row.content.managementCategory).toBe(row.management_category);
      expect(row.permit_number).toMatch(/^[0-9A-Z]{18}\d{3}P$/);
    }
    expect(rows.some((x) => x.current_version === 2)).toBe(true);
    const wastewater = rows.filter((x) => x.content.outlets[0].code === 'DW001');
    for (const w of wastewater) expect(w.content.outlets[0].pollutants.every((p: { standard: string }) => p.standard === 'GB 18918-2002')).toBe(true);
  });

  it('has permit cases in every state of every procedure, with due, near-due and overdue ones', async () => {
    const states = (await database.pool.query('select distinct state from permit_case')).rows.map((r: { state: string }) => r.state).sort();
    expect(states).toEqual(['accepted', 'approved', 'decided', 'draft', 'dropped', 'evaluated', 'hearing_notified', 'not_accepted', 'opened', 'recorded', 'refused', 'returned', 'submitted', 'supplement_requested', 'under_evaluation', 'withdrawn']);
    const kinds = (await database.pool.query('select distinct kind from permit_case')).rows.map((r: { kind: string }) => r.kind).sort();
    expect(kinds).toEqual(['cancellation', 'change', 'first', 'penaltyRevocation', 'registration', 'renewal', 'revocation']);
    const { createServices } = await import('../../context.ts');
    const { loadConfig } = await import('../../platform/config.ts');
    const clock = fixedClock('2026-11-29T02:00:00Z');
    const services = createServices(database, loadConfig({ ECOPERMIT_DATA_DIR: '/tmp/unused', SEARCH_INDEX: 'false' }), clock);
    const hz = { userId: '00000000-0000-0000-0000-000000000001', username: 'hz', displayName: 'hz', role: 'municipal_permit', regionPrefix: '3301', entityId: null, via: 'cli' as const };
    const queue = await services.cases.listCases(hz, { open: true, pageSize: 100 });
    expect(queue.items.some((c) => c.due.overdue)).toBe(true);
    expect(queue.items.some((c) => c.due.near)).toBe(true);
    expect(queue.items.some((c) => c.due.deemedAccepted)).toBe(true);
    // overdue first: the queue is sorted by due date
    const dated = queue.items.filter((c) => c.due.date).map((c) => c.due.date!);
    expect(dated).toEqual([...dated].sort());
    const ratio = await services.cases.onSiteRatio(hz, { from: '2026-01-01', to: '2026-12-31' });
    expect(ratio.rows[0]).toMatchObject({ cityCode: '330100', decided: 4, withOnSite: 3 });
    // the demo enterprise user has a case of its own
    const enterprise = (await database.pool.query("select entity_id from app_user where username = 'enterprise1'")).rows[0].entity_id;
    const own = await services.cases.listCases({ ...hz, role: 'enterprise', regionPrefix: '', entityId: enterprise }, {});
    expect(own.items.map((c) => c.state)).toContain('draft');
    // and a site of its own without a permit or an open application, to apply for
    const sites = (await database.pool.query("select u.id from registry_unit u where u.entity_id = $1 and not exists (select 1 from permit p where p.unit_id = u.id) and not exists (select 1 from permit_case c where c.unit_id = u.id)", [enterprise])).rows;
    expect(sites.length).toBeGreaterThan(0);
    // the demo expert sees the case assigned to the pool member linked to them
    const expertUser = (await database.pool.query("select id from app_user where username = 'expert1'")).rows[0].id;
    const assigned = await services.cases.listCases({ ...hz, userId: expertUser, role: 'expert', regionPrefix: '33' }, {});
    expect(assigned.items.map((c) => c.state)).toEqual(['under_evaluation']);
  });

  it('has a completed quality-review sweep and ledger items open, overdue, awaiting verification and closed', async () => {
    const runs = (await database.pool.query("select status, processed, errors from review_run")).rows;
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('done');
    expect(runs[0].processed).toBeGreaterThan(0);
    const items = (await database.pool.query("select status, deadline < '2026-11-29'::date as overdue from rectification_item order by deadline")).rows.map((r: { status: string; overdue: boolean }) => `${r.status}${r.overdue && r.status !== 'closed' ? ':overdue' : ''}`);
    expect(items).toEqual(expect.arrayContaining(['open:overdue', 'evidence_submitted', 'closed']));
  });

  it('has permits with defects of several kinds, and a review plan with tasks pending, assigned, under review and completed', async () => {
    const rules = (await database.pool.query("select distinct rule_id from review_result")).rows.map((r: { rule_id: string }) => r.rule_id);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    const plans = (await database.pool.query('select level, region_prefix, population, sample_size from review_plan')).rows;
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ level: 'municipal', region_prefix: '3301' });
    const tasks = (await database.pool.query("select status, assignee_name is not null as assigned from review_task")).rows.map((r: { status: string; assigned: boolean }) => `${r.status}${r.assigned ? '' : ':unassigned'}`);
    expect(tasks).toEqual(expect.arrayContaining(['done', 'in_review', 'pending']));
    const fromReview = (await database.pool.query("select count(*)::int as n from rectification_item where source = 'review_finding' and source_ref like 'review:%' and exists (select 1 from review_finding f where f.ledger_item_id = rectification_item.id)")).rows[0].n;
    expect(fromReview).toBeGreaterThan(0);
  });
});


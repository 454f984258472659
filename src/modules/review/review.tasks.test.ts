// Review plans and tasks on a real database: the draw (seeded, random + targeted, recorded),
// assignment inside the jurisdiction with conflicts of interest refused, the review form (two
// reviewers on one finding: one wins), completion putting confirmed findings on the ledger, the
// roll-up and its coverage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import { verifyAuditTrail } from '../audit/index.ts';
import { expert } from '../cases/index.ts';
import { drawSample, levelOf, periodRange } from './review.tasks.ts';

describe('the draw', () => {
  it('reads periods and levels', () => {
    expect(periodRange('2026H2')).toEqual({ start: '2026-07-01', end: '2026-12-31', kind: 'half-year' });
    expect(periodRange('2026Q1')).toEqual({ start: '2026-01-01', end: '2026-03-31', kind: 'quarter' });
    expect(periodRange('2024Q1').end).toBe('2024-03-31');
    expect(() => periodRange('2026Q5')).toThrow();
    expect([levelOf(''), levelOf('33'), levelOf('3301'), levelOf('330106')]).toEqual(['national', 'provincial', 'municipal', null]);
  });

  it('property: the sample has the asked size, no permit twice, the riskiest as targeted, and the same seed draws the same', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 250 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (risks, size, share, seed) => {
        const pop = risks.map((r, i) => ({ permitId: `p${String(i).padStart(4, '0')}`, riskScore: Math.round(r) }));
        const a = drawSample(pop, size, share, seed);
        const ids = [...a.targeted, ...a.random].map((p) => p.permitId);
        expect(ids.length).toBe(Math.min(size, pop.length));
        expect(new Set(ids).size).toBe(ids.length);
        const minTargeted = Math.min(...a.targeted.map((p) => p.riskScore));
        for (const p of pop) if (!a.targeted.includes(p) && p.riskScore > minTargeted) expect(a.targeted.length).toBe(Math.round(Math.min(size, pop.length) * share));
        expect(a.targeted.every((p) => p.riskScore > 0)).toBe(true);
        const b = drawSample([...pop].reverse(), size, share, seed);
        expect([...b.targeted, ...b.random].map((p) => p.permitId)).toEqual(ids);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

let t: Awaited<ReturnType<typeof buildTestApp>>;
const H: Record<string, Record<string, string>> = {};
const post = (who: string, url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: H[who], payload });
const get = (who: string, url: string) => t.app.inject({ url, headers: H[who] });
const permitIds: string[] = [];
let agencyId = '';

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('rt-hz', 'municipal_permit', '3301');
  await t.addUser('rt-hz2', 'municipal_permit', '3301');
  await t.addUser('rt-nb', 'municipal_permit', '3302');
  await t.addUser('rt-zj', 'provincial', '33');
  await t.addUser('rt-expert', 'expert', '33');
  for (const u of ['rt-hz', 'rt-hz2', 'rt-nb', 'rt-zj', 'rt-expert']) H[u] = await login(t.app, u);
  // twelve boiler houses in Hangzhou issued in 2026Q1, three with defects; two in Ningbo
  for (let i = 0; i < 14; i++) {
    const region = i < 12 ? '330106' : '330203';
    const who = i < 12 ? 'rt-hz' : 'rt-nb';
    const u = await post(who, '/api/registry/units', { entity: { creditCode: makeCreditCode(`91330106MA7RT${String(i).padStart(4, '0')}`), name: `抽查测试${i}有限公司`, regionCode: region }, name: `抽查测试${i}有限公司一厂`, regionCode: region, industryCode: '4430', managementCategory: 'key', address: '浙江省' });
    expect(u.statusCode, u.body).toBe(201);
    const content = samplePermitContent();
    if (i === 0) content.reports = [{ type: 'annual' }]; // QR-110
    if (i === 1) content.outlets[0].kind = 'general'; // QR-103
    if (i === 2) content.permittedQuantities = []; // QR-102
    const p = await post(who, '/api/permits', { unitId: u.json().id, content, issuedOn: '2026-02-27' });
    expect(p.statusCode, p.body).toBe(201);
    permitIds.push(p.json().permit.id);
  }
  const db = t.database.db;
  agencyId = '01900000-0000-7000-8000-00000000a901';
  await db.execute(`insert into technical_agency (id, name, credit_code, region_code, created_at) values ('${agencyId}', '测试环评咨询有限公司', '${makeCreditCode('91330106MA7AG0001')}', '330106', now())` as never);
});
afterAll(() => t?.close());

describe('review plans and tasks', () => {
  let planId = '';

  it('refuses a plan of the wrong period, level or jurisdiction', async () => {
    expect((await post('rt-hz', '/api/review/plans', { period: '2026H1' })).json().code).toBe('VALIDATION_FAILED');
    expect((await post('rt-hz', '/api/review/plans', { period: '2026Q1', region: '3302' })).statusCode).toBe(400);
    expect((await post('rt-hz', '/api/review/plans', { period: '2026Q1', region: '330106' })).statusCode).toBe(400);
    expect((await post('rt-hz', '/api/review/plans', { period: '2025Q4' })).json().code).toBe('REVIEW_EMPTY_POPULATION');
    expect((await post('rt-expert', '/api/review/plans', { period: '2026Q1' })).statusCode).toBe(403);
  });

  it('draws a municipal plan: the riskiest as targeted, the rest at random, seed and shares recorded; the same seed draws the same', async () => {
    const res = await post('rt-hz', '/api/review/plans', { period: '2026Q1', sampleSize: 6, targetedShare: 0.5, seed: 20260302 });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json();
    planId = plan.id;
    expect(plan).toMatchObject({ level: 'municipal', regionPrefix: '3301', period: '2026Q1', population: 12, sampleSize: 6, targeted: 3, random: 3, seed: 20260302, targetedShare: 0.5 });
    expect(plan.riskWeights).toMatchObject({ rule_error: 3, ruleSource: 'inline' });
    const tasks = (await get('rt-hz', `/api/review/tasks?planId=${planId}&pageSize=50`)).json();
    expect(tasks.total).toBe(6);
    const targeted = tasks.items.filter((x: { selection: string }) => x.selection === 'targeted');
    expect(targeted.map((x: { permitId: string }) => x.permitId).sort()).toEqual(permitIds.slice(0, 3).sort());
    for (const x of targeted) expect(x.riskScore).toBeGreaterThan(0);
    const again = (await post('rt-hz', '/api/review/plans', { period: '2026Q1', sampleSize: 6, targetedShare: 0.5, seed: 20260302 })).json();
    const tasks2 = (await get('rt-hz', `/api/review/tasks?planId=${again.id}&pageSize=50`)).json();
    expect(tasks2.items.map((x: { permitId: string }) => x.permitId).sort()).toEqual(tasks.items.map((x: { permitId: string }) => x.permitId).sort());
    // Ningbo sees neither the plan nor its tasks
    expect((await get('rt-nb', `/api/review/plans/${planId}`)).statusCode).toBe(404);
    expect((await get('rt-nb', `/api/review/tasks?planId=${planId}`)).json().total).toBe(0);
  });

  it('assigns inside the jurisdiction only, and an expert group without conflicts of interest', async () => {
    const tasks = (await get('rt-hz', `/api/review/tasks?planId=${planId}&pageSize=50`)).json().items;
    const ids = tasks.map((x: { id: string }) => x.id);
    const nbUser = (await get('rt-zj', '/api/review/reviewers?region=3302')).json().users.find((u: { displayName: string }) => u.displayName.includes('rt-nb'));
    expect(nbUser).toBeDefined();
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: ids, userId: nbUser.id })).statusCode).toBe(403);
    const reviewers = (await get('rt-hz', '/api/review/reviewers')).json();
    const hz2 = reviewers.users.find((u: { displayName: string }) => u.displayName.includes('rt-hz2'));
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: ids.slice(0, 5), userId: hz2.id })).json()).toMatchObject({ assigned: 5 });
    // an expert employed by the agency is refused; one who is not is given the last task
    const db = t.database.db;
    const now = new Date('2026-03-02T02:00:00Z');
    const users = reviewers.users as { id: string; displayName: string }[];
    const expertUser = users.find((u) => u.displayName.includes('rt-expert'));
    await db.insert(expert).values([
      { id: '01900000-0000-7000-8000-00000000e001', poolRegion: '33', name: '张工', specialties: ['锅炉'], employerAgencyId: agencyId, activeFrom: '2025-01-01', version: 1, createdAt: now, updatedAt: now },
      { id: '01900000-0000-7000-8000-00000000e002', poolRegion: '33', name: '李工', specialties: ['锅炉'], userId: expertUser?.id ?? null, activeFrom: '2025-01-01', version: 1, createdAt: now, updatedAt: now },
    ]);
    await db.insert(expert).values({ id: '01900000-0000-7000-8000-00000000e003', poolRegion: '3302', name: '宁波王工', specialties: ['锅炉'], activeFrom: '2025-01-01', version: 1, createdAt: now, updatedAt: now });
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: [ids[5]], expertIds: ['01900000-0000-7000-8000-00000000e003'] })).statusCode).toBe(400);
    const last = ids[5];
    await db.execute(`update review_task set agency_id = '${agencyId}' where id = '${last}'` as never);
    const conflict = await post('rt-hz', '/api/review/tasks/assign', { taskIds: [last], expertIds: ['01900000-0000-7000-8000-00000000e001', '01900000-0000-7000-8000-00000000e002'] });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('EXPERT_CONFLICT');
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: [last], expertIds: ['01900000-0000-7000-8000-00000000e002'] })).json().assigneeName).toBe('专家组：李工');
    expect((await get('rt-expert', '/api/review/tasks?mine=true')).json().items.map((x: { id: string }) => x.id)).toEqual([last]);
    expect((await get('rt-expert', `/api/review/tasks/${ids[0]}`)).statusCode).toBe(404);
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: [ids[0]] })).statusCode).toBe(400);
  });

  it('the review form: two reviewers on one finding (one wins), a reviewer elsewhere denied, completion puts confirmed findings on the ledger', async () => {
    const tasks = (await get('rt-hz', `/api/review/tasks?planId=${planId}&selection=targeted`)).json().items;
    const task = tasks.find((x: { permitId: string }) => x.permitId === permitIds[0]);
    const form = (await get('rt-hz2', `/api/review/tasks/${task.id}`)).json();
    expect(form.plan).toMatchObject({ period: '2026Q1', level: 'municipal' });
    const hit = form.findings.find((f: { ruleId: string }) => f.ruleId === 'QR-110');
    expect(hit).toMatchObject({ origin: 'rule', status: 'open', problemType: 'reports' });
    expect(hit.messageZh).toContain('季度');
    const [a, b] = await Promise.all([
      post('rt-hz', `/api/review/findings/${hit.id}/decision`, { decision: 'confirm', reason: '确缺季度执行报告要求', expectedVersion: 1 }),
      post('rt-hz2', `/api/review/findings/${hit.id}/decision`, { decision: 'confirm', reason: '缺季度执行报告', expectedVersion: 1 }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    // the loser is told, and the finding holds the winner's reason
    const winner = a.statusCode === 200 ? '确缺季度执行报告要求' : '缺季度执行报告';
    expect((await get('rt-hz', `/api/review/tasks/${task.id}`)).json().findings.find((f: { id: string }) => f.id === hit.id)).toMatchObject({ status: 'confirmed', reason: winner, version: 2 });
    expect((a.statusCode === 409 ? a : b).json().code).toBe('REVIEW_FINDING_CHANGED');
    expect((await get('rt-nb', `/api/review/tasks/${task.id}`)).statusCode).toBe(404);
    expect((await post('rt-nb', `/api/review/findings/${hit.id}/decision`, { decision: 'dismiss', reason: '越权', expectedVersion: 2 })).statusCode).toBe(404);
    const early = await post('rt-hz2', `/api/review/tasks/${task.id}/complete`, { conclusion: '存在问题', expectedVersion: 2 });
    const openLeft = (await get('rt-hz2', `/api/review/tasks/${task.id}`)).json().findings.filter((f: { status: string }) => f.status === 'open');
    if (openLeft.length) expect(early.json().code).toBe('REVIEW_OPEN_FINDINGS');
    for (const f of openLeft) expect((await post('rt-hz2', `/api/review/findings/${f.id}/decision`, { decision: 'dismiss', reason: '经核实不构成问题', expectedVersion: f.version })).statusCode).toBe(200);
    expect((await post('rt-hz2', `/api/review/tasks/${task.id}/findings`, { problemType: 'monitoring', severity: 'warning', message: '自行监测方案未载明采样方法' })).statusCode).toBe(201);
    const fresh = (await get('rt-hz2', `/api/review/tasks/${task.id}`)).json();
    const done = await post('rt-hz2', `/api/review/tasks/${task.id}/complete`, { conclusion: '执行报告要求缺失，监测方案不完整', expectedVersion: fresh.version });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', ledgerItems: 2 });
    const ledger = (await get('rt-hz', `/api/rectifications?permitId=${permitIds[0]}`)).json();
    expect(ledger.items.map((i: { source: string }) => i.source)).toEqual(['review_finding', 'review_finding']);
    expect(ledger.items[0].deadline).toBe('2026-04-01');
    const after = (await get('rt-hz', `/api/review/tasks/${task.id}`)).json();
    expect(after.findings.filter((f: { ledgerItemId: string | null }) => f.ledgerItemId).length).toBe(2);
    expect((await post('rt-hz2', `/api/review/tasks/${task.id}/complete`, { conclusion: '再次办结', expectedVersion: after.version })).json().code).toBe('REVIEW_TASK_DONE');
    expect((await post('rt-hz', '/api/review/tasks/assign', { taskIds: [task.id], userId: (await get('rt-hz', '/api/review/reviewers')).json().users[0].id })).json().code).toBe('REVIEW_TASK_DONE');
  });

  it('rolls up by region, type and agency, with coverage of the permits issued or changed in the period', async () => {
    const city = (await get('rt-hz', '/api/review/rollup?period=2026Q1')).json();
    expect(city.total).toMatchObject({ population: 12, sampled: 6, reviewed: 1, withProblems: 1 });
    expect(city.total.coverage).toBeCloseTo(1 / 12);
    expect(city.rows).toEqual([{ regionCode: '330106', regionName: '西湖区', population: 12, sampled: 6, reviewed: 1, withProblems: 1, coverage: 1 / 12, problemRate: 1 }]);
    expect(city.byType.map((x: { problemType: string; n: number }) => [x.problemType, x.n]).sort()).toEqual([['monitoring', 1], ['reports', 1]]);
    const province = (await get('rt-zj', '/api/review/rollup?period=2026Q1')).json();
    expect(province.rows.map((r: { regionCode: string; population: number; reviewed: number }) => [r.regionCode, r.population, r.reviewed])).toEqual([['330100', 12, 1], ['330200', 2, 0]]);
    expect((await get('rt-nb', '/api/review/rollup?period=2026Q1&region=3301')).statusCode).toBe(404);
    const csv = await get('rt-hz', '/api/review/rollup/export?period=2026Q1&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('西湖区（330106）,12,6,1,8.3,1,100');
    expect(csv.body).toContain('执行报告 / Execution reports');
    expect((await get('rt-hz', '/api/review/rollup/export?period=2026Q1')).rawPayload.subarray(0, 2).toString()).toBe('PK');
    // the quality score counts the confirmed findings (no sweep has run here): QR-110 error and the
    // reviewer's warning, each weighed twice (10 + 3) × 2
    const scores = (await get('rt-hz', '/api/review/scores?kind=permit')).json();
    expect(scores.run).toBeNull();
    expect(scores.items[0]).toMatchObject({ id: permitIds[0], score: 100 - 26 });
    expect(scores.items[1].score).toBe(100);
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);
  });
});

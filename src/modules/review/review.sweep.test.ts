// Sweeps of the review catalog on a real database: run in the background with progress, stored
// results per permit and rule, resumed after an interruption without duplicates, cancelled,
// scoped to a jurisdiction, and recording the reference data they judged against.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import type { Actor } from '../../platform/actor.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>;
let nb: Record<string, string>;
const hzActor: Actor = { userId: '00000000-0000-0000-0000-0000000000aa', username: 'sweep', displayName: '审核员', role: 'municipal_permit', regionPrefix: '3301', entityId: null, via: 'cli' };

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('sweep-hz', 'municipal_permit', '3301');
  await t.addUser('sweep-nb', 'municipal_permit', '3302');
  hz = await login(t.app, 'sweep-hz');
  nb = await login(t.app, 'sweep-nb');
  // five Hangzhou permits (two with a defect), one in Ningbo
  for (let i = 1; i <= 6; i++) {
    const region = i === 6 ? '330203' : '330106';
    const headers = i === 6 ? nb : hz;
    const u = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers, payload: { entity: { creditCode: makeCreditCode(`91330106MA6GWP00${i}`), name: `审核测试有限公司${i}`, regionCode: region }, name: `审核测试有限公司${i}厂`, regionCode: region, industryCode: '4430', managementCategory: 'key', address: '浙江省' } });
    expect(u.statusCode, u.body).toBe(201);
    const content = samplePermitContent(i <= 2 ? { reports: [{ type: 'annual' }] } : {});
    const p = await t.app.inject({ method: 'POST', url: '/api/permits', headers, payload: { unitId: u.json().id, content, issuedOn: '2026-02-27' } });
    expect(p.statusCode, p.body).toBe(201);
  }
});
afterAll(() => t?.close());

describe('review sweeps', () => {
  it('run in the background over the jurisdiction, with progress and stored findings', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/api/review/sweeps', headers: hz, payload: {} });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ regionPrefix: '3301', status: 'running', total: 5 });
    expect(started.json().referenceVersion).toMatch(/^emission_limits@\w+ thresholds@\w+ rules=\d+$/);
    await t.app.services.review.idle();
    const run = (await t.app.inject({ url: `/api/review/sweeps/${started.json().id}`, headers: hz })).json();
    expect(run).toMatchObject({ status: 'done', processed: 5, errors: 2 });
    const results = (await t.app.inject({ url: `/api/review/sweeps/${run.id}/results?severity=error`, headers: hz })).json();
    expect(results.items.map((r: { ruleId: string }) => r.ruleId)).toEqual(['QR-110', 'QR-110']);
    expect(results.byRule.find((r: { ruleId: string }) => r.ruleId === 'QR-110')).toMatchObject({ n: 2, permits: 2 });
    // another city sees neither the sweep nor its results
    expect((await t.app.inject({ url: `/api/review/sweeps/${run.id}`, headers: nb })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/review/sweeps', headers: nb, payload: { region: '3301' } })).statusCode).toBe(400);
  });

  it('an interrupted sweep resumes where it stopped, without duplicating a finding', async () => {
    const review = t.services.review;
    const full = await review.startSweep(hzActor, {}, { background: false });
    while (await review.sweepPage(full.id, 2));
    const whole = (await review.sweepResults(hzActor, full.id, { pageSize: 200 })).total;

    const run = await review.startSweep(hzActor, {}, { background: false });
    expect(await review.sweepPage(run.id, 2)).toBe(true);
    // the process dies here; the next start picks the sweep up
    expect(await review.resumeInterrupted()).toBe(1);
    await review.idle();
    const after = await review.getSweep(hzActor, run.id);
    expect(after).toMatchObject({ status: 'done', processed: 5 });
    expect((await review.sweepResults(hzActor, run.id, { pageSize: 200 })).total).toBe(whole);
    // a page written twice (a crash after its commit, before the next read) adds nothing
    await t.database.pool.query('update review_run set status = $2, cursor = null, processed = 0 where id = $1', [run.id, 'running']);
    while (await review.sweepPage(run.id, 2));
    expect((await review.sweepResults(hzActor, run.id, { pageSize: 200 })).total).toBe(whole);
  });

  it('a cancelled sweep takes no more pages', async () => {
    const review = t.services.review;
    const run = await review.startSweep(hzActor, {}, { background: false });
    await review.sweepPage(run.id, 2);
    expect((await review.cancelSweep(hzActor, run.id)).status).toBe('cancelled');
    expect(await review.sweepPage(run.id, 2)).toBe(false);
    expect((await review.getSweep(hzActor, run.id)).processed).toBe(2);
    await expect(review.cancelSweep(hzActor, run.id)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('population checks over the jurisdiction: identical permits form a near-duplicate group; leads only', async () => {
    const dup = await t.app.inject({ url: '/api/review/population?kind=duplicates', headers: hz });
    expect(dup.statusCode, dup.body).toBe(200);
    expect(dup.json().permits).toBe(5);
    // all five were issued from the same sample (two differ only in their reports): one group of copies
    expect(dup.json().groups.map((g: { permits: unknown[]; similarity: number }) => [g.permits.length, g.similarity >= 0.9])).toEqual([[5, true]]);
    const out = await t.app.inject({ url: '/api/review/population?kind=outliers', headers: hz });
    expect(out.json()).toMatchObject({ permits: 5, outliers: [] });
    expect((await t.app.inject({ url: '/api/review/population?kind=outliers&region=3301', headers: nb })).statusCode).toBe(400);
  });

  it('quality scores from the latest sweep: the permits with findings score lower', async () => {
    const res = await t.app.inject({ url: '/api/review/scores?kind=permit', headers: hz });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.run.regionPrefix).toBe('3301');
    expect(r.items).toHaveLength(5);
    const scores = r.items.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    // the two without quarterly reports lose 10 points more for their QR-110 error
    expect(scores[0]).toBe(scores[4] - 10);
    expect((await t.app.inject({ url: '/api/review/scores?kind=agency', headers: hz })).json().items).toEqual([]);
  });

  it('a change of reference data sweeps the jurisdictions again', async () => {
    const review = t.services.review;
    expect(await review.sweepIfReferenceChanged()).toEqual([]);
    await t.database.pool.query("update review_run set reference_version = 'emission_limits@old' where region_prefix = '3301'");
    const started = await review.sweepIfReferenceChanged();
    expect(started).toHaveLength(1);
    await review.idle();
    expect(await review.getSweep(hzActor, started[0])).toMatchObject({ status: 'done', processed: 5, startedBy: '参考数据更新后自动复核' });
    expect(await review.sweepIfReferenceChanged()).toEqual([]);
  });

  it('reference data changed during a sweep: the sweep stops as superseded, its results keep the version they used, and a new sweep judges again', async () => {
    const review = t.services.review;
    const run = await review.startSweep(hzActor, {}, { background: false });
    expect(await review.sweepPage(run.id, 2)).toBe(true);
    const firstPage = (await review.sweepResults(hzActor, run.id, { pageSize: 200 })).total;
    expect(firstPage).toBeGreaterThan(0);
    // the reference tables move on (a standard reloaded after a restart) before the next page
    await t.database.pool.query("update ref_dataset set checksum = 'changed-during-the-sweep' where name = 'emission_limits'");
    expect(await review.sweepPage(run.id, 2)).toBe(false);
    const stopped = await review.getSweep(hzActor, run.id);
    expect(stopped).toMatchObject({ status: 'superseded', processed: 2, referenceVersion: run.referenceVersion });
    expect(stopped.error).toContain('emission_limits@changed-duri');
    expect((await review.sweepResults(hzActor, run.id, { pageSize: 200 })).total).toBe(firstPage);
    const again = await review.sweepIfReferenceChanged();
    expect(again).toHaveLength(1);
    await review.idle();
    expect(await review.getSweep(hzActor, again[0])).toMatchObject({ status: 'done', processed: 5, referenceVersion: expect.stringContaining('emission_limits@changed-duri') });
  });
});


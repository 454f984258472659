/**
 * Demo quality review for Hangzhou: one completed sweep (so the review page and the scores have
 * findings to show) and ledger items from its findings in every state — open, overdue, evidence
 * submitted, closed — acting as the demo users on a clock stepping through the past weeks.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db.ts';
import { fixedClock, type Clock } from '../../platform/clock.ts';
import { cliActor, type Actor } from '../../platform/actor.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { createReferenceService } from '../reference/index.ts';
import { createRegistryService } from '../registry/index.ts';
import { createReviewService, createReviewTasksService, reviewResult } from '../review/index.ts';
import { createLedgerService } from '../ledger/index.ts';
import { appUser } from '../identity/index.ts';
import { expert } from '../cases/index.ts';
import { permit } from '../permits/index.ts';
import { demoActor } from './demo.cases.ts';

const DAY = 86_400_000;

export async function seedDemoReview(database: Database, opts: { clock: Clock }) {
  const { db } = database;
  const now = opts.clock.now().getTime();
  const clock = fixedClock(new Date(now - 40 * DAY));
  const reference = createReferenceService({ db });
  const registry = createRegistryService({ db, clock, reference, registrationLetter: 'W' });
  const review = createReviewService({ db, clock, reference });
  const ledger = createLedgerService({ db, clock, registry });
  const [u] = await db.select().from(appUser).where(eq(appUser.username, 'hz-permit'));
  const official: Actor = u ? demoActor(u, 'demo-seed') : { ...cliActor('demo-seed'), regionPrefix: '3301' };

  const run = await review.startSweep(official, { region: '3301' }, { background: false });
  while (await review.sweepPage(run.id));

  // ledger items from the sweep's error findings: the first four permits' first error each
  const errors = await db
    .select({ permitId: reviewResult.permitId, id: reviewResult.id, ruleId: reviewResult.ruleId, message: reviewResult.messageZh, unitId: permit.unitId })
    .from(reviewResult)
    .innerJoin(permit, eq(permit.id, reviewResult.permitId))
    .where(and(eq(reviewResult.runId, run.id), sql`${reviewResult.severity} in ('error', 'warning')`))
    .orderBy(asc(reviewResult.permitNumber), asc(reviewResult.ruleId))
    .limit(40);
  const seen = new Set<string>();
  const picked = errors.filter((e) => !seen.has(e.permitId) && seen.add(e.permitId)).slice(0, 5);
  let items = 0;
  for (const [i, e] of picked.entries()) {
    // created 40 days ago with deadlines 20 to 60 days on: some now overdue
    const deadline = chinaDate(new Date(now - 40 * DAY + (20 + i * 10) * DAY));
    const item = await ledger.createItem(official, { unitId: e.unitId, permitId: e.permitId, source: 'review_finding', sourceRef: `review:${e.id}`, problem: e.message, basis: e.ruleId, deadline });
    items++;
    const applicant: Actor = { userId: '00000000-0000-0000-0000-000000000000', username: 'demo-applicant', displayName: `${item.responsible} 环保专员`, role: 'enterprise', regionPrefix: '', entityId: item.entityId, via: 'cli' };
    if (i >= 2) {
      clock.set(new Date(now - 20 * DAY));
      await ledger.addUpdate(applicant, item.id, { kind: 'progress', note: '已委托设计单位编制整改方案' });
      clock.set(new Date(now - 10 * DAY));
      const ev = await ledger.addUpdate(applicant, item.id, { kind: 'evidence', note: '整改完成，附验收材料', evidenceName: '整改验收报告.pdf', evidenceSha256: 'e'.repeat(64) });
      if (i >= 4) {
        clock.set(new Date(now - 5 * DAY));
        await ledger.closeOut(official, item.id, { expectedVersion: ev.version, note: '现场核实整改到位，同意销号' });
      }
    }
    clock.set(new Date(now - 40 * DAY));
  }
  // review plans: the latest quarter with Hangzhou permits issued or changed in it, drawn a week ago
  clock.set(new Date(now - 7 * DAY));
  const tasks = createReviewTasksService({ db, clock, review, ledger, reference });
  const plan = await drawLatestPlan(tasks, official, new Date(now - 7 * DAY));
  let done = 0;
  if (plan) {
    const list = (await tasks.listTasks(official, { planId: plan.id, pageSize: 200 })).items;
    const [zhou] = await db.select({ id: expert.id }).from(expert).where(eq(expert.name, '周建华'));
    // the first half to the city's reviewer, two to an expert group, the rest left to assign
    const half = list.slice(0, Math.ceil(list.length / 2));
    if (half.length && u) await tasks.assign(official, { taskIds: half.map((x) => x.id), userId: u.id });
    const toExperts = list.slice(half.length, half.length + 2);
    if (zhou && toExperts.length) await tasks.assign(official, { taskIds: toExperts.map((x) => x.id), expertIds: [zhou.id] });
    // one task completed (its confirmed findings onto the ledger), one under way
    for (const [k, t] of (u ? half : []).slice(0, 2).entries()) {
      clock.set(new Date(now - (5 - k) * DAY));
      const form = await tasks.getTask(official, t.id);
      for (const [j, f] of form.findings.entries()) {
        if (k === 1 && j > 0) break;
        const confirm = f.severity !== 'notice';
        await tasks.decideFinding(official, f.id, { decision: confirm ? 'confirm' : 'dismiss', reason: confirm ? '经核对申请材料，问题属实' : '经核实，属合理情形，不构成问题', expectedVersion: f.version });
      }
      if (k === 0) {
        await tasks.addFinding(official, t.id, { problemType: 'monitoring', severity: 'warning', message: '自行监测方案未载明废水采样点位与采样方法' });
        const fresh = await tasks.getTask(official, t.id);
        await tasks.completeTask(official, t.id, { conclusion: '存在问题，已纳入整改台账，限期 30 日整改', expectedVersion: fresh.version });
        done++;
      }
    }
  }
  return { sweep: run.id, items, plan: plan?.id ?? null, tasksDone: done };
}

/** The municipal plan of the latest quarter (of the last eight) in which Hangzhou issued or changed permits. */
async function drawLatestPlan(tasks: ReturnType<typeof createReviewTasksService>, official: Actor, at: Date) {
  const today = chinaDate(at);
  let year = Number(today.slice(0, 4));
  let quarter = Math.ceil(Number(today.slice(5, 7)) / 3);
  for (let i = 0; i < 8; i++) {
    try {
      return await tasks.createPlan(official, { period: `${year}Q${quarter}`, region: '3301', sampleSize: 8, targetedShare: 0.5, seed: 20240101 + i });
    } catch (err) {
      if ((err as { code?: string }).code !== 'REVIEW_EMPTY_POPULATION') throw err;
    }
    if (--quarter === 0) (quarter = 4), year--;
  }
  return null;
}

import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import type { CaseKind, CaseListQuery, CaseState } from '../../contracts/cases.ts';
import type { Actor } from '../../platform/actor.ts';
import type { CasesService } from './cases.service.ts';
import { KIND_LABELS, STATE_LABELS } from './cases.labels.ts';

/**
 * `ecopermit cases queue|open-cancellations`. `services` builds the services on the open
 * database (the CLI's wiring, passed in so this module does not import the app's context).
 */
export function registerCaseCommands(cases: Command, ctx: CliContext, open: <T>(fn: (s: CasesService, actor: Actor) => Promise<T>) => Promise<T>) {
  cases
    .command('queue')
    .description("The officials' queue: open cases by due date, with overdue (!) and near-due (~) marks / 办件队列")
    .option('--region <prefix>', 'GB/T 2260 prefix (2–6 digits)')
    .option('--due <which>', 'overdue | near | ok')
    .option('--limit <n>', 'at most this many (1–100)', (v) => Number(v), 100)
    .option('--json', 'one JSON object per case')
    .action(async (o: { region?: string; due?: string; limit: number; json?: boolean }) => {
      await open(async (service, actor) => {
        const q: CaseListQuery = { open: true, pageSize: Math.min(Math.max(o.limit, 1), 100), ...(o.region ? { region: o.region } : {}), ...(o.due ? { due: o.due as 'overdue' | 'near' | 'ok' } : {}) };
        const { items, total } = await service.listCases(actor, q);
        for (const c of items) {
          if (o.json) {
            ctx.out(JSON.stringify({ caseNumber: c.caseNumber, kind: c.kind, state: c.state, unit: c.unitName, regionCode: c.regionCode, due: c.due.date, rule: c.due.rule, overdue: c.due.overdue, near: c.due.near, workingDaysLeft: c.due.workingDaysLeft }));
            continue;
          }
          const mark = c.due.overdue ? '!' : c.due.near ? '~' : ' ';
          ctx.out(`${mark} ${c.due.date ?? '—'.padEnd(10)}  ${c.caseNumber}  ${KIND_LABELS[c.kind as CaseKind].zh}  ${STATE_LABELS[c.state as CaseState].zh}  ${c.unitName}`);
        }
        if (!o.json) ctx.err(`${items.length} of ${total} open case(s)`);
      });
    });
  cases
    .command('open-cancellations')
    .description('Open a cancellation case (注销) for every closed site that still holds a valid permit / 为已关闭单位办理注销')
    .action(async () => {
      await open(async (service, actor) => {
        const r = await service.openCancellationsForClosedUnits(actor);
        ctx.out(`${r.closedWithPermit} closed site(s) hold a valid permit; ${r.opened.length} cancellation case(s) opened`);
      });
    });
}

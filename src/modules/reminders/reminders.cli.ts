import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { scanExpiry } from './reminders.scan.ts';

type Open = <T>(fn: (deps: { db: Db; clock: Clock }, actor: Actor) => Promise<T>) => Promise<T>;

/** `ecopermit reminders scan`: what the expiry scan finds, without sending anything. */
export function registerReminderCommands(reminders: Command, ctx: CliContext, open: Open, fail: (message: string, code: number) => Error) {
  reminders
    .command('scan')
    .description('Permits and registrations expiring within DAYS, and those expired but still valid in the register; sends nothing / 到期扫描')
    .option('--today <YYYY-MM-DD>', 'the day to scan as (default: today in China)')
    .option('--within <DAYS>', 'how far ahead to look', '90')
    .option('--json', 'one JSON object per line')
    .action(async (o: { today?: string; within: string; json?: boolean }) => {
      const within = Number(o.within);
      if (!Number.isInteger(within) || within < 0) throw fail(`--within must be a whole number of days, not ${o.within}`, 2);
      await open(async ({ db, clock }, actor) => {
        const rows = await scanExpiry(db, actor, { today: o.today ?? chinaDate(clock.now()), within }).catch((err: { messages?: { en: string } }) => {
          throw err.messages ? fail(err.messages.en, 2) : err;
        });
        for (const r of rows) {
          if (o.json) ctx.out(JSON.stringify(r));
          else ctx.out([r.number, r.unitName, r.validTo, r.daysLeft, r.state, r.kind, `apply by ${r.applyBy}`, r.continuationApplied ? 'continuation applied' : ''].join('\t').trimEnd());
        }
        ctx.err(`${rows.length} found: ${rows.filter((r) => r.state === 'expiring').length} expiring, ${rows.filter((r) => r.state === 'expired').length} expired`);
      });
    });
}

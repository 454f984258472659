import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import type { Actor } from '../../platform/actor.ts';
import type { LedgerService } from './ledger.service.ts';

type Open = <T>(fn: (ledger: LedgerService, actor: Actor) => Promise<T>) => Promise<T>;

/** `ecopermit ledger escalate` (for cron until the scheduler runs it; the server also does at start). */
export function registerLedgerCommands(ledger: Command, ctx: CliContext, open: Open) {
  ledger
    .command('escalate')
    .description('Report overdue rectification items up a level: to the city, then the province (reference-data/ledger/ledger-rules.json) / 整改逾期上报')
    .option('--json', 'print the counts as JSON')
    .action(async (o: { json?: boolean }) => {
      await open(async (service, actor) => {
        const r = await service.escalateOverdue(actor);
        ctx.out(o.json ? JSON.stringify(r) : `escalated: ${r.city} to the city, ${r.province} to the province`);
      });
    });
}

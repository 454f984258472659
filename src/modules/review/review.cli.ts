import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.ts';
import type { ReferenceService } from '../reference/index.ts';
import { RULES, rulesMarkdown } from './review.catalog.ts';
import { reviewPermits } from './review.run.ts';

type Open = <T>(fn: (deps: { db: Db; clock: Clock; reference: ReferenceService }, actor: Actor) => Promise<T>) => Promise<T>;

/** `ecopermit review rules|run`. */
export function registerReviewCommands(review: Command, ctx: CliContext, open: Open, fail: (message: string, code: number) => Error) {
  review
    .command('rules')
    .description('The quality-review rule catalog (问题认定指南): id, code, severity, title, basis / 审核规则目录')
    .option('--json', 'print the catalog as JSON')
    .option('--markdown', 'print docs/rules.md')
    .action((o: { json?: boolean; markdown?: boolean }) => {
      if (o.markdown) return ctx.out(rulesMarkdown().trimEnd());
      for (const r of RULES) {
        if (o.json) ctx.out(JSON.stringify({ id: r.id, code: r.code, severity: r.severity, title: r.title, basis: r.basis, fix: r.fix }));
        else ctx.out(`${r.id}\t${r.severity}\t${r.code}\t${r.title.zh} / ${r.title.en}\t${r.basis.zh}`);
      }
    });
  review
    .command('run')
    .description('Run the catalog over one permit or all, and print the hits with their explanations / 运行审核规则')
    .option('--permit <number>', 'the permit number')
    .option('--all', 'every valid permit')
    .option('--json', 'one JSON object per permit: permitNumber, hits [{ruleId, code, severity, path, zh, en}]')
    .option('--lang <zh|en>', 'language of the explanations', 'zh')
    .action(async (o: { permit?: string; all?: boolean; json?: boolean; lang: string }) => {
      if (!!o.permit === !!o.all) throw fail('give --permit NUMBER or --all', 2);
      await open(async (deps, actor) => {
        let permits = 0;
        let hits = 0;
        let errors = 0;
        for await (const r of reviewPermits(deps, actor, { permitNumber: o.permit })) {
          permits++;
          hits += r.hits.length;
          errors += r.hits.filter((h) => h.severity === 'error').length;
          if (o.json) ctx.out(JSON.stringify(r));
          else for (const h of r.hits) ctx.out(`${r.permitNumber}\t${h.ruleId}\t${h.severity}\t${h.path}\t${o.lang === 'en' ? h.en : h.zh}`);
        }
        if (o.permit && permits === 0) throw fail(`no valid permit ${o.permit}`, 2);
        ctx.err(`${permits} permit(s), ${hits} hit(s), ${errors} error(s)`);
      });
    });
}

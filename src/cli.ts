import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { chinaWorkCalendar } from './platform/work-calendar.ts';
import { analysePermitNumber, registerPermitCommands } from './modules/permits/index.ts';
import { registerCaseCommands } from './modules/cases/index.ts';
import { registerLedgerCommands } from './modules/ledger/index.ts';
import { registerReminderCommands } from './modules/reminders/index.ts';
import { registerReviewCommands } from './modules/review/index.ts';
import cliProgress from 'cli-progress';
import { eq } from 'drizzle-orm';
import { loadConfig, ConfigError } from './platform/config.ts';
import { migrateDatabase, DataDirLockedError } from './platform/db.ts';
import { systemClock } from './platform/clock.ts';
import { cliActor } from './platform/actor.ts';
import { AppError } from './platform/errors.ts';
import type { CliContext } from './cli-context.ts';
import { openConfiguredDatabase, serve } from './main.ts';
import { prepareDatabase } from './bootstrap.ts';
import { createServices } from './context.ts';
import { registerReferenceCommands } from './modules/reference/index.ts';
import { verifyAuditTrail, type AuditAnchor } from './modules/audit/index.ts';
import { importUnits, EXPORT_HEADERS, exportRow, checkCreditCode, describeCreditCodeCheck, registryEntity } from './modules/registry/index.ts';
import { writeCsv, writeXlsx } from './modules/registry/import-file.ts';
import { Role } from './contracts/identity.ts';
import { ImportMode, ManagementCategory, UnitStatus } from './contracts/registry.ts';

class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const actor = () => cliActor(userInfo().username || 'cli');

/** A file named on the command line; exit 2 with the reason when it cannot be read. */
function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e: any) {
    throw new CliExit(`cannot read ${file}: ${e.code ?? e.message}`, 2);
  }
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  const lines: string[] = [];
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) lines.push(line);
  return lines;
}

export function buildCli(ctx: CliContext): Command {
  const program = new Command('ecopermit')
    .description('ecopermit — 排污许可管理平台 / pollutant discharge permit platform')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('serve')
    .description('Start the API, web console and background services (npm start) / 启动服务')
    .action(async () => {
      await serve();
    });

  program
    .command('migrate')
    .description('Apply database migrations to the configured database / 执行数据库迁移')
    .action(async () => {
      const config = loadConfig();
      const database = await openConfiguredDatabase(config, ctx.out);
      await migrateDatabase(database);
      await prepareDatabase(database, { demo: false, log: ctx.out });
      await database.close();
      ctx.out('migrations applied; reference data current');
    });

  const seed = program.command('seed').description('Load data sets / 加载数据');
  seed
    .command('demo')
    .description('Build a deterministic demo region: one province, its cities and counties, units and demo users / 生成演示数据')
    .option('--units <n>', 'number of discharging units', (v) => Number(v), 5000)
    .option('--seed <s>', 'random seed (same seed, same data)', (v) => Number(v), 2022)
    .action(async (o: { units: number; seed: number }) => {
      if (!Number.isInteger(o.units) || o.units < 0 || o.units > 2_000_000) throw new CliExit('--units must be an integer 0..2000000', 2);
      await ctx.withDatabase(async (database, _config, clock) => {
        const { seedDemo } = await import('./modules/demo/index.ts');
        const r = await seedDemo(database, { clock, units: o.units, seed: o.seed, log: ctx.err });
        ctx.out(`demo region loaded: ${r.units} units, ${r.entities} entities, ${r.users} users`);
      });
    });

  const user = program.command('user').description('Manage users / 用户管理');
  user
    .command('add')
    .description('Create a user / 新增用户')
    .requiredOption('--username <name>', 'login name (3–64 letters, digits, _.-)')
    .addOption(new Option('--role <role>', 'role').choices(Role.options).makeOptionMandatory())
    .option('--region <prefix>', "jurisdiction: GB/T 2260 prefix, '' for national", '')
    .option('--display-name <name>', 'name shown in the console')
    .option('--entity <creditCode>', 'enterprise users: credit code of their entity')
    .option('--password <pw>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (o) => {
      let password: string | undefined = o.password;
      if (o.passwordStdin) password = (await readStdinLines())[0];
      if (!password) throw new CliExit('give --password-stdin (or --password)', 2);
      await ctx.withDatabase(async (database, config, clock) => {
        const services = createServices(database, config, clock);
        let entityId: string | null = null;
        if (o.entity) {
          const [e] = await database.db.select().from(registryEntity).where(eq(registryEntity.creditCode, o.entity));
          if (!e) throw new CliExit(`no entity with credit code ${o.entity}`, 2);
          entityId = e.id;
        }
        const { id } = await services.identity.createUser(actor(), {
          username: o.username,
          displayName: o.displayName ?? o.username,
          password: password!,
          role: o.role,
          regionPrefix: o.region,
          entityId,
        });
        ctx.out(`user ${o.username} created (${id})`);
      });
    });
  user
    .command('token')
    .description('Issue a bearer API token for a user (shown once) / 签发 API 令牌')
    .requiredOption('--username <name>', 'the user the token acts as')
    .option('--name <label>', 'what the token is for', 'api')
    .option('--days <n>', 'validity in days, 1–3650 (default: no expiry)', (v) => Number(v))
    .action(async (o) => {
      if (o.days !== undefined && (!Number.isInteger(o.days) || o.days < 1 || o.days > 3650)) throw new CliExit('--days must be a whole number from 1 to 3650', 2);
      await ctx.withDatabase(async (database, config, clock) => {
        const services = createServices(database, config, clock);
        const u = await services.identity.getUserByUsername(o.username);
        if (!u) throw new CliExit(`no user ${o.username}`, 2);
        const expires = o.days ? new Date(clock.now().getTime() + o.days * 86_400_000) : undefined;
        const { secret } = await services.identity.createApiToken(actor(), u.id, o.name, expires);
        ctx.out(secret);
      });
    });

  registerReferenceCommands(program, ctx);

  const permits = program.command('permits').description('Discharge permits / 排污许可证');
  permits
    .command('check-number')
    .description('Read permit numbers (排污许可证编号: 18-character code + 3-digit site sequence + letter) as the national platform issues them; numbers as arguments or one per line on stdin. Never refuses a number: prints "NUMBER<TAB>ok|doubtful<TAB>findings". --strict exits 1 when any is doubtful')
    .argument('[numbers...]', 'numbers to check')
    .option('--lang <lang>', 'zh or en', 'en')
    .option('--json', 'one JSON object per line')
    .option('--strict', 'exit 1 when any number is doubtful')
    .action(async (numbers: string[], o: { lang: string; json?: boolean; strict?: boolean }) => {
      const list = (numbers.length ? numbers : await readStdinLines()).filter((n) => n.trim() !== '');
      let doubtful = 0;
      for (const n of list) {
        const a = analysePermitNumber(n);
        if (a.doubtful) doubtful++;
        if (o.json) {
          ctx.out(JSON.stringify(a));
          continue;
        }
        const lang = o.lang === 'zh' ? 'zh' : 'en';
        const findings = a.findings.map((f) => `${f.severity === 'warning' ? '!' : '·'} ${f[lang]}`).join('; ');
        ctx.out(`${a.number}\t${a.doubtful ? 'doubtful' : 'ok'}${findings ? `\t${findings}` : ''}`);
      }
      if (o.strict && doubtful) throw new CliExit('', 1);
    });

  registerPermitCommands(permits, ctx);
  permits
    .command('import')
    .description("Import permits from the national platform: its public listing (许可证编号, 单位名称, 有效期限…) or its permit pages' outlet and pollutant tables; writes all or nothing (see --good-only) / 导入全国平台许可证")
    .argument('<file>', 'csv or xlsx file')
    .option('--dry-run', 'check every row and write nothing')
    .option('--good-only', 'write the good rows even when some are bad')
    .option('--json', 'print the summary as JSON: rows, accepted, rejected, duplicates, issues [{row, column, severity, code, message}]')
    .action(async (file: string, o: { dryRun?: boolean; goodOnly?: boolean; json?: boolean }) => {
      const data = readInputFile(file);
      await ctx.withDatabase(async (database, config, clock) => {
        const services = createServices(database, config, clock);
        const r = await services.permits.importFromPlatform(actor(), { data, filename: basename(file) }, { dryRun: !!o.dryRun, goodOnly: !!o.goodOnly });
        if (o.json) ctx.out(JSON.stringify(r, null, 2));
        else {
          for (const i of r.issues.slice(0, 200)) ctx.out(`row ${i.row}\t${i.column}\t${i.severity}\t${i.code}\t${i.message} / ${i.messageEn}`);
          if (r.issues.length > 200) ctx.out(`… ${r.issues.length - 200} more (use --json)`);
          ctx.out(`${r.kind}: ${r.rows} rows, ${r.accepted} accepted, ${r.rejected} rejected, ${r.duplicates} duplicates; ${r.written ? `written: ${r.permitsCreated} permits, ${r.versionsAdded} versions` : o.dryRun ? 'dry run: nothing written' : 'nothing written'}`);
        }
        if (r.rejected > 0) throw new CliExit('', 1);
      });
    });

  const review = program.command('review').description('Permit quality review (质量审核): the rule catalog and running it / 质量审核');
  registerReviewCommands(review, ctx, (fn) => ctx.withDatabase((database, config, clock) => fn({ db: database.db, clock, reference: createServices(database, config, clock).reference }, actor())), (m, code) => new CliExit(m, code));

  const ledger = program.command('ledger').description('The rectification ledger (整改台账) / 整改台账');
  registerLedgerCommands(ledger, ctx, (fn) => ctx.withDatabase((database, config, clock) => fn(createServices(database, config, clock).ledger, actor())));

  const reminders = program.command('reminders').description('Expiry reminders (到期提醒) / 到期提醒');
  registerReminderCommands(reminders, ctx, (fn) => ctx.withDatabase((database, _config, clock) => fn({ db: database.db, clock }, actor())), (m, code) => new CliExit(m, code));

  const cases = program.command('cases').description('Permit procedures (许可办件) / 办件');
  registerCaseCommands(cases, ctx, (fn) => ctx.withDatabase((database, config, clock) => fn(createServices(database, config, clock).cases, actor())));

  const calendar = program.command('calendar').description("China's working-day calendar and legal time limits / 工作日历与法定期限");
  calendar
    .command('deadline')
    .description('The last day of a period of DAYS days starting on FROM (the day of the event, not counted): in working days (default), or in calendar days moved past rest days (民法典 Arts. 201, 203)')
    .argument('<from>', 'start date, YYYY-MM-DD')
    .argument('<days>', 'length of the period in days')
    .option('--calendar-days', 'count calendar days instead of working days')
    .option('--json', 'print JSON')
    .action((from: string, days: string, o: { calendarDays?: boolean; json?: boolean }) => {
      const cal = chinaWorkCalendar();
      const count = o.calendarDays ? 'calendar' : 'working';
      const d = cal.deadline(from, Number(days), count);
      if (o.json) return ctx.out(JSON.stringify({ from, days: Number(days), count, ...d, calendar: cal.source }));
      const notes = [d.extended ? 'moved past rest days / 顺延至工作日' : '', d.approximate ? `APPROXIMATE: holidays known only for ${cal.firstYear}–${cal.lastYear} / 超出节假日数据年份，仅按周末计算` : ''].filter(Boolean);
      ctx.out(`${d.date}\t${from} + ${days} ${count} days${notes.length ? `\t${notes.join('; ')}` : ''}`);
    });
  calendar
    .command('day')
    .description('Whether each date is a working day, and why (holiday, moved workday, weekend)')
    .argument('<dates...>', 'dates, YYYY-MM-DD')
    .option('--json', 'print JSON')
    .action((dates: string[], o: { json?: boolean }) => {
      const cal = chinaWorkCalendar();
      for (const date of dates) {
        const d = cal.day(date);
        ctx.out(o.json ? JSON.stringify(d) : `${d.date}\t${d.working ? 'working' : 'rest'}\t${d.kind}${d.holiday ? ` ${d.holiday}` : ''}${d.approximate ? '\t(approximate)' : ''}`);
      }
    });
  calendar
    .command('info')
    .description('Where the holiday data comes from and which years it covers')
    .action(() => {
      const cal = chinaWorkCalendar();
      ctx.out(`${cal.source}: statutory holidays and moved workdays ${cal.firstYear}–${cal.lastYear} (State Council General Office notices); later dates count weekends only`);
    });

  const registry = program.command('registry').description('Registry of discharging units / 排污单位库');
  registry
    .command('check-code')
    .description('Check 统一社会信用代码 (GB 32100-2015); codes as arguments or one per line on stdin. Prints "CODE<TAB>valid" or "CODE<TAB>invalid: reason"; exits 1 if any is invalid')
    .argument('[codes...]', 'codes to check')
    .option('--lang <lang>', 'zh or en', 'en')
    .action(async (codes: string[], o: { lang: string }) => {
      const list = codes.length ? codes : await readStdinLines();
      let bad = 0;
      for (const code of list) {
        const c = checkCreditCode(code);
        if (!c.valid) bad++;
        // Show invisible characters so the line says what was really there.
        const shown = code.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060\ufeff]/g, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
        ctx.out(`${shown}\t${c.valid ? 'valid' : `invalid: ${describeCreditCodeCheck(c, o.lang === 'zh' ? 'zh' : 'en')}`}`);
      }
      if (bad) throw new CliExit('', 1);
    });

  registry
    .command('import')
    .description('Import units from csv/xlsx. Default is a dry run that reports every bad row / 批量导入')
    .argument('<file>', 'csv or xlsx file')
    .addOption(new Option('--mode <mode>', 'dry-run | all-or-nothing | good-only').choices(ImportMode.options).default('dry-run'))
    .option('--apply-cleanups', 'accept credit codes after safe clean-ups (spaces, dashes, invisible characters…); the raw value is kept')
    .option('--report <file>', 'write the bad rows to this csv file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { mode: ImportMode; applyCleanups?: boolean; report?: string; json?: boolean }) => {
      const data = readInputFile(file);
      await ctx.withDatabase(async (database, config, clock) => {
        const services = createServices(database, config, clock);
        const bar = new cliProgress.SingleBar({ format: '{phase} [{bar}] {percentage}% {value}/{total}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
        let started = false;
        const t0 = Date.now();
        const result = await importUnits({ db: database.db, clock, checks: await services.registry.checks() }, actor(), { data, filename: basename(file) }, {
          mode: o.mode,
          applyCleanups: !!o.applyCleanups,
          onProgress: (phase, processed, total) => {
            if (!process.stderr.isTTY || total === 0) return;
            if (!started) bar.start(total, processed, { phase });
            started = true;
            bar.setTotal(total);
            bar.update(processed, { phase });
          },
        });
        if (started) bar.stop();
        const secs = (Date.now() - t0) / 1000;
        if (o.report) {
          writeFileSync(o.report, writeCsv(['行号 row', '列 column', '值 value', '原因', 'reason'], result.errors.map((e) => [e.row, e.column, e.value, e.reason, e.reasonEn])));
        }
        if (o.json) ctx.out(JSON.stringify(result, null, 2));
        else {
          for (const e of result.errors.slice(0, 200)) ctx.out(`row ${e.row}\t${e.column}\t${JSON.stringify(e.value)}\t${e.reason} / ${e.reasonEn}`);
          if (result.errors.length > 200) ctx.out(`… ${result.errors.length - 200} more (use --report FILE)`);
          for (const w of result.warnings) ctx.out(`warning: ${w}`);
          ctx.out(
            `${result.mode}: ${result.totalRows} rows, ${result.goodRows} good, ${result.badRows} bad; imported ${result.imported} units (${result.entitiesCreated} new entities) in ${secs.toFixed(1)} s` +
              (result.mode === 'all-or-nothing' && result.badRows > 0 ? ' — nothing written because some rows are bad' : ''),
          );
        }
        if (result.badRows > 0) throw new CliExit('', 1);
      });
    });

  registry
    .command('export')
    .description('Export units to csv or xlsx / 导出排污单位')
    .addOption(new Option('--format <f>', 'csv or xlsx').choices(['csv', 'xlsx']).default('csv'))
    .option('--out <file>', 'output file (default: stdout for csv)')
    .option('--region <prefix>', 'region code prefix')
    .option('--q <name>', 'part of the name')
    .option('--industry <code>', 'industry code prefix')
    .addOption(new Option('--category <c>', 'management category').choices(ManagementCategory.options))
    .addOption(new Option('--status <s>', 'status').choices(UnitStatus.options))
    .action(async (o) => {
      if (o.format === 'xlsx' && !o.out) throw new CliExit('xlsx needs --out FILE', 2);
      await ctx.withDatabase(async (database, config, clock) => {
        const services = createServices(database, config, clock);
        const rows: (string | number | null)[][] = [];
        for await (const page of services.registry.exportUnits(actor(), { region: o.region, q: o.q, industry: o.industry, category: o.category, status: o.status })) {
          for (const u of page) rows.push(exportRow(u));
        }
        const body = o.format === 'csv' ? Buffer.from(writeCsv(EXPORT_HEADERS, rows)) : await writeXlsx(EXPORT_HEADERS, rows, '排污单位');
        if (o.out) {
          writeFileSync(o.out, body);
          ctx.err(`${rows.length} units written to ${o.out}`);
        } else process.stdout.write(body);
      });
    });

  const audit = program.command('audit').description('Audit trail / 审计日志');
  audit
    .command('verify')
    .description('Recompute the hash chains and name any edited or deleted row; exits 1 on any problem / 校验审计链')
    .option('--json', 'print the result as JSON')
    .option('--anchors <file>', 'also check chain positions saved earlier with --save-anchors (catches a whole chain rewritten)')
    .option('--save-anchors <file>', 'write the current last link of every chain to this file, to keep outside the database')
    .action(async (o: { json?: boolean; anchors?: string; saveAnchors?: string }) => {
      let anchors: AuditAnchor[] | undefined;
      if (o.anchors) {
        try {
          anchors = JSON.parse(readFileSync(o.anchors, 'utf8'));
          if (!Array.isArray(anchors)) throw new Error('not a list');
        } catch (e: any) {
          throw new CliExit(`cannot read anchors from ${o.anchors}: ${e.message}`, 2);
        }
      }
      await ctx.withDatabase(async (database) => {
        const r = await verifyAuditTrail(database.db, { anchors });
        if (o.saveAnchors) writeFileSync(o.saveAnchors, `${JSON.stringify(r.heads, null, 2)}\n`);
        if (o.json) ctx.out(JSON.stringify(r, null, 2));
        else {
          for (const p of r.problems) ctx.out(`TAMPERED ${p.kind}: ${p.message}`);
          ctx.out(r.ok ? `audit trail intact: ${r.rows} rows in ${r.chains} chains` : `audit trail BROKEN: ${r.problems.length} problem(s) in ${r.rows} rows`);
          if (o.saveAnchors) ctx.out(`anchors of ${r.heads.length} chains written to ${o.saveAnchors}`);
        }
        if (!r.ok) throw new CliExit('', 1);
      });
    });

  return program;
}

/** Run the CLI; errors print a message (no stack) and set the exit code. */
export async function runCli(argv: string[]) {
  // Output piped into a reader that stops early (`| head`): stop quietly, as other tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const ctx: CliContext = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    async withDatabase(fn) {
      const config = loadConfig();
      const database = await openConfiguredDatabase(config);
      try {
        await prepareDatabase(database, { demo: false });
        return await fn(database, config, systemClock);
      } finally {
        await database.close();
      }
    },
  };
  try {
    await buildCli(ctx).parseAsync(argv);
  } catch (err: any) {
    if (err instanceof CliExit) {
      if (err.message) ctx.err(err.message);
      process.exitCode = err.exitCode;
    } else if (err instanceof AppError) {
      ctx.err(`${err.code}: ${err.messages.zh} / ${err.messages.en}`);
      process.exitCode = 1;
    } else if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      ctx.err(err.message);
      process.exitCode = 2;
    } else if (typeof err?.exitCode === 'number') {
      if (err.message) ctx.err(err.message);
      process.exitCode = err.exitCode;
    } else {
      ctx.err(`error: ${err?.message ?? err}`);
      process.exitCode = 1;
    }
  }
}

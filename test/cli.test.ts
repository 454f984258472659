import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'ecopermit.mjs');
const dir = mkdtempSync(join(tmpdir(), 'ecopermit-cli-'));
const env = { ...process.env, ECOPERMIT_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', LOG_LEVEL: 'silent' };
const run = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { input, env, encoding: 'utf8', timeout: 120_000 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ecopermit CLI', () => {
  it('check-code prints one line per code in order and exits 1 when any is invalid', () => {
    const r = run(['registry', 'check-code'], '91110000101623741K\n9111000010162374IK\n\u200b91350100M000100Y43\n');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('91110000101623741K\tvalid');
    expect(lines[1]).toMatch(/^9111000010162374IK\tinvalid: .*\bI\b/);
    expect(lines[2]).toMatch(/^\\u\{200b\}91350100M000100Y43\tinvalid: /);
    expect(r.status).toBe(1);
    const ok = run(['registry', 'check-code', '91110000101623741K', '91350100M000100Y43']);
    expect(ok.status).toBe(0);
  });

  it('calendar: legal deadlines on the working-day calendar, and a clear error for a bad date', () => {
    const r = run(['calendar', 'deadline', '2026-09-28', '20', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ date: '2026-10-30', count: 'working', approximate: false, extended: false });
    const c = run(['calendar', 'deadline', '2026-09-11', '20', '--calendar-days']);
    expect(c.stdout).toMatch(/^2026-10-08\t.*顺延/);
    const d = run(['calendar', 'day', '2026-10-10']);
    expect(d.stdout.trim()).toBe('2026-10-10\tworking\tmoved-workday 国庆节');
    const bad = run(['calendar', 'deadline', '2026-02-30', '5']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Invalid date: 2026-02-30');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('permits check-number reads every number, flags the doubtful ones, and refuses none', () => {
    const r = run(['permits', 'check-number'], '91130200699229617X001P\n91130200699229617Y001P\n');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('91130200699229617X001P\tok');
    expect(lines[1]).toMatch(/^91130200699229617Y001P\tdoubtful\t! .*check character/);
    const strict = run(['permits', 'check-number', '--strict', '--json', '91130200699229617Y001P']);
    expect(strict.status).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ siteSeq: 1, letter: 'P', doubtful: true });
  });

  it('has --help on subcommands', () => {
    const r = run(['registry', 'import', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--mode');
  });

  // The CLI runs on the embedded database; the PostgreSQL pass covers the same services through the API.
  it.skipIf(!!process.env.TEST_DATABASE_URL)('migrates, adds a user, imports a file and verifies the audit trail', () => {
    expect(run(['migrate']).status).toBe(0);
    const add = run(['user', 'add', '--username', 'cli-user', '--role', 'municipal_permit', '--region', '3301', '--password-stdin'], 'cli-password-2026\n');
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const csv = join(dir, 'units.csv');
    writeFileSync(csv, '统一社会信用代码,单位名称,行政区划代码,行业类别代码,生产经营场所地址\n91330106MA27U0LK57,杭州CLI测试有限公司,330106,4411,文三路1号\nBAD,坏行,330106,4411,文三路2号\n');
    const dry = run(['registry', 'import', csv]);
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain('row 3');
    const good = run(['registry', 'import', csv, '--mode', 'good-only']);
    expect(good.stdout).toContain('imported 1 units');
    const anchors = join(dir, 'anchors.json');
    const verify = run(['audit', 'verify', '--save-anchors', anchors]);
    expect(verify.stdout).toContain('audit trail intact');
    expect(verify.status).toBe(0);
    const again = run(['audit', 'verify', '--anchors', anchors]);
    expect(again.status).toBe(0);
    const exported = run(['registry', 'export', '--format', 'csv']);
    expect(exported.stdout).toContain('杭州CLI测试有限公司');
    // the national platform's listing for that unit: a dry run, then the real import, then a merge
    const listing = join(dir, 'permits.csv');
    writeFileSync(listing, '许可证编号,单位名称,省份/地市,行业类别,有效期限,发证日期,管理类别\n91330106MA27U0LK57001P,杭州CLI测试有限公司,浙江省/杭州市,火力发电,2024-01-01至2028-12-31,2024-01-01,重点管理\n91330106MA27U0LK58001P,不在名录,浙江省/杭州市,火力发电,2024-01-01至2028-12-31,2024-01-01,重点管理\n');
    const check = run(['permits', 'import', listing, '--dry-run', '--json']);
    expect(check.status).toBe(1);
    const summary = JSON.parse(check.stdout);
    expect(summary).toMatchObject({ rows: 2, accepted: 1, rejected: 1, duplicates: 0, written: false });
    expect(summary.issues.find((i: { severity: string }) => i.severity === 'error')).toMatchObject({ row: 3, column: '许可证编号', code: 'UNIT_NOT_FOUND' });
    expect(run(['permits', 'import', listing, '--good-only']).stdout).toContain('written: 1 permits');
    expect(JSON.parse(run(['permits', 'import', listing, '--good-only', '--json']).stdout)).toMatchObject({ duplicates: 1, permitsCreated: 0 });
    // the quality-review catalog, and running it over the imported permit
    const rules = run(['review', 'rules', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rules.length).toBeGreaterThanOrEqual(40);
    const reviewed = run(['review', 'run', '--permit', '91330106MA27U0LK57001P', '--json']);
    expect(reviewed.status, reviewed.stderr).toBe(0);
    // a listing import carries no outlets or quantities yet: key management without quantities is found
    expect(JSON.parse(reviewed.stdout.trim()).hits.map((h: { code: string }) => h.code)).toContain('EXECUTION_REPORTS_MISSING');
    expect(run(['review', 'run']).status).toBe(2);
    // the expiry scan: the imported permit's last valid day is 2028-12-31
    const soon = run(['reminders', 'scan', '--today', '2028-11-01', '--json']);
    expect(soon.status, soon.stderr).toBe(0);
    expect(JSON.parse(soon.stdout.trim())).toMatchObject({ number: '91330106MA27U0LK57001P', validTo: '2028-12-31', daysLeft: 60, state: 'expiring', applyBy: '2028-11-01' });
    expect(run(['reminders', 'scan', '--today', '2029-01-01']).stdout).toMatch(/^91330106MA27U0LK57001P\t杭州CLI测试有限公司\t2028-12-31\t-1\texpired/);
    expect(run(['reminders', 'scan', '--today', '2028-01-01', '--json']).stdout).toBe('');
    expect(run(['reminders', 'scan', '--within', 'soon']).status).toBe(2);
    // nothing on the ledger is overdue yet
    expect(JSON.parse(run(['ledger', 'escalate', '--json']).stdout)).toEqual({ city: 0, province: 0 });
    // a dozen processes, each opening the embedded database: slow when the suite runs beside it
  }, 240_000);
});

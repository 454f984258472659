#!/usr/bin/env node
// `npm test`: the whole suite on PGlite, then again on PostgreSQL when one is reachable
// (TEST_DATABASE_URL) or can be started from the installed PostgreSQL binaries; then the
// browser tests when Chromium is installed. Ends with one line "N passed, M failed" summed
// over every run, and says which backends ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const results = [];
const root = new URL('..', import.meta.url).pathname;

function vitest(label, env) {
  const out = join(mkdtempSync(join(tmpdir(), 'ecopermit-vitest-')), 'r.json');
  console.log(`\n=== unit + integration tests on ${label} ===`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    cwd: root,
  });
  let passed = 0;
  let failed = 0;
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed = j.numPassedTests;
    failed = j.numFailedTests + (j.numFailedTestSuites ?? 0) + (j.success === false && j.numFailedTests === 0 ? 1 : 0);
  } else failed = 1;
  if (r.status !== 0 && failed === 0) failed = 1;
  results.push({ label, passed, failed });
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start a throwaway PostgreSQL from the installed binaries; returns url and a stop function. */
async function startPostgres() {
  const candidates = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
  const bin = candidates.find((d) => existsSync(join(d, 'initdb')));
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ecopermit-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    return spawnSync(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return undefined;
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const port = await freePort();
  let r = run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (r.status !== 0) {
    console.log(`could not initdb: ${r.stderr}`);
    return undefined;
  }
  r = run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
  if (r.status !== 0) {
    console.log(`could not start PostgreSQL: ${r.stderr}`);
    return undefined;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

vitest('PGlite (embedded)', { TEST_DATABASE_URL: '' });

let pgUrl = process.env.TEST_DATABASE_URL;
let stopPg;
if (!pgUrl) {
  const pg = await startPostgres();
  if (pg) {
    pgUrl = pg.url;
    stopPg = pg.stop;
  }
}
if (pgUrl) {
  try {
    vitest(`PostgreSQL (${pgUrl.replace(/\/\/[^@]*@/, '//')})`, { TEST_DATABASE_URL: pgUrl });
  } finally {
    stopPg?.();
  }
} else {
  console.log('\nPostgreSQL: not reachable (no TEST_DATABASE_URL, no PostgreSQL binaries) — skipped');
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.env.SKIP_E2E !== '1' && process.argv.length <= 2 && existsSync(chromium)) {
  console.log('\n=== browser tests (Chromium) ===');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'e2e/run.ts')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', cwd: root });
  process.stdout.write(r.stdout ?? '');
  const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout ?? '');
  results.push({ label: 'browser (Chromium)', passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) + (r.status !== 0 && Number(m[2]) === 0 ? 1 : 0) : 1 });
} else if (process.argv.length <= 2) {
  console.log(`\nbrowser tests: skipped (${process.env.SKIP_E2E === '1' ? 'SKIP_E2E=1' : `no Chromium at ${chromium}`})`);
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
console.log(`backends run: ${results.map((r) => r.label).join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

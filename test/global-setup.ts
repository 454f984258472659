import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase, migrateDatabase, type Database } from '../src/platform/db.ts';
import { prepareDatabase } from '../src/bootstrap.ts';

/** Migrate once and load reference data into a template every test file clones. */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `ecopermit_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
    const u = new URL(url);
    u.pathname = `/${template}`;
    const database = await openDatabase({ url: u.toString(), poolSize: 2 });
    await fill(database);
    await database.close();
    project.provide('dbTemplate', { kind: 'postgres', url, template });
    return async () => {
      // Databases cloned by test files are dropped by them; drop leftovers and the template.
      const r = await admin.query(`select datname from pg_database where datname like 'ecopermit_t%_${process.pid}%' or datname = $1`, [template]);
      for (const row of r.rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ecopermit-tpl-'));
  const dump = join(dir, 'template.tar');
  const database = await openDatabase({});
  await fill(database);
  await database.dump!(dump);
  await database.close();
  project.provide('dbTemplate', { kind: 'pglite', dump });
  return () => rmSync(dir, { recursive: true, force: true });
}

async function fill(database: Database) {
  await migrateDatabase(database);
  await prepareDatabase(database, { demo: false });
}

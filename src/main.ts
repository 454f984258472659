import { loadConfig, type Config } from './platform/config.ts';
import { openDatabase, migrateDatabase, type Database } from './platform/db.ts';
import { systemClock } from './platform/clock.ts';
import { prepareDatabase } from './bootstrap.ts';
import { buildApp } from './app.ts';

/** Open, migrate and prepare the configured database. */
export async function openConfiguredDatabase(config: Config, log: (m: string) => void = () => {}): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir });
  try {
    await migrateDatabase(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  log(`database: ${database.kind} at ${database.location}`);
  return database;
}

/**
 * `ecopermit serve` / `npm start`: API + console on one port. On the first start of an empty
 * database, reference data and the demo region are loaded. SIGINT/SIGTERM stop accepting new
 * connections, let in-flight requests finish, then close the database.
 */
export async function serve(config: Config = loadConfig()) {
  const started = Date.now();
  const log = (m: string) => console.log(`[ecopermit] ${m}`);
  const database = await openConfiguredDatabase(config, log);
  await prepareDatabase(database, { demo: config.ECOPERMIT_DEMO, demoUnits: config.ECOPERMIT_DEMO_UNITS, log });
  const app = await buildApp({ database, config, clock: systemClock });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000);
    timer.unref();
    try {
      await app.close();
      await database.close();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — console ${address}/  API docs ${address}/api/docs`);
  return { app, database, address };
}

import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
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
  const log = (m: string) => console.log(`[ecopermit${cluster.isWorker ? ` ${process.pid}` : ''}] ${m}`);
  if (config.ECOPERMIT_WORKERS > 1 && cluster.isPrimary) return supervise(config, log);
  const database = await openConfiguredDatabase(config, cluster.isWorker ? () => {} : log);
  // With several workers the supervisor has prepared the database once already.
  if (!cluster.isWorker) await prepare(database, config, log);
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
  // `on`, not `once`: under a supervisor (or systemd's control group) a worker can get the
  // signal twice, and the second must not fall back to the default action and kill it mid-stop.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — console ${address}/  API docs ${address}/api/docs`);
  return { app, database, address };
}

/** Reference data, and the demo region in an empty database. */
function prepare(database: Database, config: Config, log: (m: string) => void) {
  return prepareDatabase(database, { demo: config.ECOPERMIT_DEMO, demoUnits: config.ECOPERMIT_DEMO_UNITS, log });
}

/**
 * ECOPERMIT_WORKERS > 1: this process migrates and prepares the database once, then runs that
 * many server processes on the shared port (node:cluster), replaces one that dies, and on
 * SIGINT/SIGTERM passes the signal on and exits when they have all finished.
 */
async function supervise(config: Config, log: (m: string) => void) {
  if (!config.DATABASE_URL) {
    throw new ConfigError('ECOPERMIT_WORKERS > 1 需要 DATABASE_URL（PGlite 只能在一个进程中运行） / ECOPERMIT_WORKERS > 1 needs DATABASE_URL: PGlite lives inside one process');
  }
  const database = await openConfiguredDatabase(config, log);
  try {
    await prepare(database, config, log);
  } finally {
    await database.close();
  }
  let stopping = false;
  let listening = 0;
  let failedExits = 0;
  /** workers that died soon after starting, one after another: a crash loop backs off, then gives up */
  let quickDeaths = 0;
  const started = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
    worker.once('listening', (address) => {
      if (++listening === config.ECOPERMIT_WORKERS) log(`${config.ECOPERMIT_WORKERS} workers ready on http://${address.address ?? config.HOST}:${address.port}/`);
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    if (code !== 0 && code !== null) failedExits++;
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failedExits ? 1 : 0);
      return;
    }
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    quickDeaths = lived < 30_000 ? quickDeaths + 1 : 0;
    if (quickDeaths >= 5) {
      log(`worker ${worker.process.pid} exited (${signal ?? code}); ${quickDeaths} workers died within 30 s of starting — giving up`);
      stop('SIGTERM', 1);
      return;
    }
    const delay = quickDeaths ? Math.min(1000 * 2 ** (quickDeaths - 1), 30_000) : 0;
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another${delay ? ` in ${delay / 1000} s` : ''}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });
  for (let i = 0; i < config.ECOPERMIT_WORKERS; i++) fork();
  const stop = (signal: NodeJS.Signals, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    if (exitCode) failedExits++;
    log(`${signal}: stopping workers`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failedExits ? 1 : 0);
    setTimeout(() => process.exit(1), (config.SHUTDOWN_GRACE_SECONDS + 5) * 1000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return undefined;
}

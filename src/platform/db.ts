import { Worker } from 'node:worker_threads';
import { mkdirSync, mkdtempSync, writeFileSync, linkSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

/** The drizzle handle used everywhere; a transaction `tx` has the same query API. */
export type Db = NodePgDatabase<Record<string, never>>;
/** What repo functions take: the database or a transaction on it. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  pool: pg.Pool;
  kind: 'pglite' | 'postgres';
  /** Human-readable place: the data folder or the server address without password. */
  location: string;
  close(): Promise<void>;
  /** PGlite only: write a snapshot of the whole data folder (test template). */
  dump?(path: string): Promise<void>;
  /**
   * LISTEN on a channel. `onResync` is called after a lost connection came back (notifications
   * sent meanwhile are gone, so the listener must reread what it keeps).
   */
  listen(channel: string, onMessage: (payload: string) => void, onResync: () => void): Promise<Listener>;
}

export interface Listener {
  stop(): Promise<void>;
  /** Drop the connection and listen on a new one (it then calls onResync). For a connection that went quiet. */
  reconnect(): void;
}

/** Channel names are identifiers we choose; refuse anything else rather than quote it. */
function checkChannel(channel: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`bad channel name ${channel}`);
}

/**
 * PostgreSQL: a dedicated connection outside the pool (a pooled one would be handed to other
 * queries and its LISTEN lost), reconnected with backoff.
 */
function listenPostgres(url: string) {
  return async (channel: string, onMessage: (payload: string) => void, onResync: () => void): Promise<Listener> => {
    checkChannel(channel);
    let stopped = false;
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let delay = 500;
    const again = () => {
      if (stopped || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        connect(true).catch(() => {});
      }, delay);
      retry.unref();
      delay = Math.min(delay * 2, 30_000);
    };
    const connect = async (isRetry: boolean): Promise<void> => {
      // keepAlive: a connection cut by a NAT or firewall must end, not go quiet for ever
      const c = new pg.Client({ connectionString: url, keepAlive: true });
      client = c;
      c.on('notification', (m) => {
        if (m.channel === channel) onMessage(m.payload ?? '');
      });
      c.on('error', () => {
        if (client === c) again();
      });
      c.on('end', () => {
        if (client === c) again();
      });
      try {
        await c.connect();
        await c.query(`listen ${channel}`);
        delay = 500;
        if (isRetry) onResync();
      } catch (err) {
        await c.end().catch(() => {});
        if (!isRetry) {
          stopped = true;
          throw err;
        }
        again();
      }
    };
    await connect(false);
    return {
      async stop() {
        stopped = true;
        clearTimeout(retry);
        await client?.end().catch(() => {});
      },
      reconnect() {
        const old = client;
        client = undefined;
        old?.end().catch(() => {});
        again();
      },
    };
  };
}

/**
 * PGlite: one session only, so the pool's single connection listens; notifications arrive on
 * it between queries. If the pool ever replaces that connection, the new one listens again.
 */
function listenPglite(pool: pg.Pool) {
  return async (channel: string, onMessage: (payload: string) => void, onResync: () => void): Promise<Listener> => {
    checkChannel(channel);
    const handler = (m: pg.Notification) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    };
    const clients = new Set<pg.PoolClient>();
    let started = false;
    const onConnect = (c: pg.PoolClient) => {
      clients.add(c);
      c.on('notification', handler);
      c.query(`listen ${channel}`).catch(() => {});
      if (started) onResync();
    };
    pool.on('connect', onConnect);
    const c = await pool.connect();
    try {
      if (!clients.has(c)) {
        clients.add(c);
        c.on('notification', handler);
      }
      await c.query(`listen ${channel}`);
    } finally {
      c.release();
    }
    started = true;
    return {
      // LISTEN stays on the session (another listener may share it); only this handler goes.
      async stop() {
        pool.off('connect', onConnect);
        for (const client of clients) client.off('notification', handler);
      },
      // The session lives in this process: it cannot go quiet. Reread to be safe.
      reconnect() {
        onResync();
      },
    };
  };
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; undefined = in memory. */
  dataDir?: string;
  /** PGlite: start from a snapshot made by `dump`. */
  loadDataDir?: string;
  /** Pool size on PostgreSQL. */
  poolSize?: number;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

export class DataDirLockedError extends Error {}

/**
 * A pid lock file in the data folder: PGlite would let a second process open the same folder
 * and corrupt it. A lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'ecopermit.lock');
  // Write the pid to a private file, then link it into place: the lock appears with its
  // content in one step, so nobody reads a half-written (empty) lock and takes it as stale.
  const mine = join(dataDir, `.ecopermit.lock.${process.pid}`);
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
        return () => {
          if (readLockPid(path) === process.pid) rmSync(path, { force: true });
        };
      } catch (err: any) {
        if (err.code !== 'EEXIST') throw err;
        const pid = readLockPid(path);
        if (pid === undefined || pid === process.pid || processAlive(pid)) {
          throw new DataDirLockedError(
            `数据目录正被进程 ${pid ?? '?'} 使用 / data folder ${dataDir} is in use by process ${pid ?? '?'}; stop it or set ECOPERMIT_DATA_DIR to another folder`,
          );
        }
        // Stale: remove it only if it still names the dead process, then try again.
        if (readLockPid(path) === pid) rmSync(path, { force: true });
      }
    }
    throw new DataDirLockedError(`cannot lock ${dataDir}`);
  } finally {
    rmSync(mine, { force: true });
  }
}

function readLockPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
}

async function startPgliteWorker(dataDir: string | undefined, loadDataDir?: string) {
  const sockDir = mkdtempSync(join(tmpdir(), 'ecopermit-pg-'));
  const worker = new Worker(new URL('./pglite-server.mjs', import.meta.url), {
    workerData: { dataDir: dataDir ? join(dataDir, 'pglite') : undefined, sockDir, loadDataDir },
  });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: any) => {
      if (m?.type === 'ready') {
        worker.off('message', onMessage);
        resolve();
      } else if (m?.type === 'error') reject(new Error(`PGlite failed to start: ${m.message}`));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  const call = (message: object, reply: string) =>
    new Promise<void>((resolve) => {
      const on = (m: any) => {
        if (m?.type === reply) {
          worker.off('message', on);
          resolve();
        }
      };
      worker.on('message', on);
      worker.postMessage(message);
    });
  return {
    sockDir,
    dump: (path: string) => call({ type: 'dump', path }, 'dumped'),
    stop: async () => {
      await call({ type: 'stop' }, 'stopped');
      await worker.terminate();
      rmSync(sockDir, { recursive: true, force: true });
    },
  };
}

/**
 * A client of the embedded database. Every connection reaches the same embedded session, which
 * outlives a client the pool dropped (pg-pool drops the client of a failed pool.query). A new
 * client starts with no prepared statements, so the session must not keep any either, or the
 * first named statement prepared again fails with "already exists": they are deallocated as
 * part of connecting, before the pool hands the client out.
 */
class FreshSessionClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
  override connect(callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): Promise<pg.Client> | void {
    const ready = super.connect().then(async () => {
      await super.query('DEALLOCATE ALL');
      return this as pg.Client;
    });
    if (!callback) return ready;
    const cb = callback as (err: Error | null, c?: pg.Client) => void;
    ready.then((c) => cb(null, c), (err: Error) => cb(err));
  }
}

/** Open the database (PGlite in a worker thread, or PostgreSQL) and apply migrations. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    pool.on('error', () => {}); // an idle client dropped by the server must not crash the process
    const db = drizzle({ client: pool }) as unknown as Db;
    const u = new URL(opts.url);
    u.password = '';
    return { db, pool, kind: 'postgres', location: u.toString(), close: () => pool.end(), listen: listenPostgres(opts.url) };
  }
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  let server;
  try {
    server = await startPgliteWorker(opts.dataDir, opts.loadDataDir);
  } catch (err) {
    unlock();
    throw err;
  }
  // One connection only: the socket server interleaves protocol messages of concurrent
  // connections (pglite #1046). Callers queue on the pool instead.
  const pool = new pg.Pool({
    host: server.sockDir,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 60_000,
    Client: FreshSessionClient,
  });
  pool.on('error', () => {});
  const db = drizzle({ client: pool }) as unknown as Db;
  return {
    db,
    pool,
    kind: 'pglite',
    location: opts.dataDir ? join(opts.dataDir, 'pglite') : 'memory://',
    dump: server.dump,
    listen: listenPglite(pool),
    close: async () => {
      await pool.end();
      await server.stop();
      unlock();
    },
  };
}

/** Apply pending migrations from ./drizzle (idempotent). */
export async function migrateDatabase(database: Database): Promise<void> {
  await migrate(database.db, { migrationsFolder: MIGRATIONS });
}

export function migrationsFolder() {
  return MIGRATIONS;
}

export function hasPgliteData(dataDir: string) {
  return existsSync(join(dataDir, 'pglite', 'PG_VERSION'));
}


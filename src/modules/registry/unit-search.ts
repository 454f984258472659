/**
 * Keeps a UnitSearchIndex equal to registry_unit:
 * - at start, reads every unit through a cursor, oldest first, and builds the index;
 * - afterwards, every committed change arrives as a notification on `ecopermit_registry_unit`
 *   (a statement trigger, migration 0001, so no writer can bypass it) and the changed units are
 *   reread by id — batched, one refresh at a time, so a later refresh always reads later state;
 * - a writer in this process also calls `refresh(ids)` after its commit, so its caller's next
 *   request sees the change without waiting for the notification (read your own writes);
 * - when the notification connection was lost, everything is reread; a marker sent every
 *   minute finds a connection that went quiet without closing, and a failed reread is retried
 *   with a growing pause;
 * - TRUNCATE announces 'reload': everything is reread.
 * Until the first build is done `ready` is false and the list uses SQL alone.
 */
import { sql } from 'drizzle-orm';
import type { Database, Listener, Tx } from '../../platform/db.ts';
import { UnitSearchIndex, type IndexedUnit, type IndexPage, type IndexQuery } from './unit-search-index.ts';

export const UNIT_CHANGE_CHANNEL = 'ecopermit_registry_unit';
const LOAD_PAGE = 20_000;
const REFRESH_CHUNK = 10_000;
const HEARTBEAT_MS = 15_000;

interface Row {
  id: string;
  entity_id: string;
  name: string;
  region_code: string;
  industry_code: string;
  management_category: string | null;
  status: string;
  created_micros: number;
  version: number;
}

const COLUMNS = sql.raw(
  `id::text as id, entity_id::text as entity_id, name, region_code, industry_code, management_category, status,
   (extract(epoch from created_at) * 1000000)::float8 as created_micros, version`,
);

const toUnit = (r: Row): IndexedUnit => ({
  id: r.id,
  entityId: r.entity_id,
  name: r.name,
  regionCode: r.region_code,
  industryCode: r.industry_code,
  managementCategory: r.management_category,
  status: r.status,
  createdMicros: Number(r.created_micros),
  version: r.version,
});

export interface UnitSearch {
  readonly ready: boolean;
  readonly size: number;
  /**
   * Ready and not known to be behind: false from the moment changes may have been missed
   * until the full reload that repairs it is in (onChange(null) is called at both ends).
   */
  readonly current: boolean;
  /** Build the index and start listening; resolves when the index is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Reread these units now (after this process committed a change to them). */
  refresh(ids: Iterable<string>): Promise<void>;
  /**
   * Wait until every change committed before this call is in the index (after a bulk write
   * whose ids are too many to name): a marker notification goes out, and since notifications
   * arrive in commit order, once it is back all earlier ones have been taken in.
   */
  sync(): Promise<void>;
  search(q: IndexQuery, offset: number, limit: number, cap: number, budget?: number): IndexPage | undefined;
  /**
   * Called after the index took in changes to these units (null: it was rebuilt, anything may
   * have changed), in the same tick: for caches of what the units show.
   */
  onChange(listener: (ids: readonly string[] | null) => void): void;
}

export function createUnitSearch(database: Pick<Database, 'db' | 'listen'>, log: (msg: string) => void = () => {}): UnitSearch {
  let index = new UnitSearchIndex();
  const db: Tx = database.db;
  let ready = false;
  let listener: Listener | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = 1_000;
  let stopped = false;
  /** ids announced while a refresh or build runs; taken in one batch by the next refresh */
  const pending = new Set<string>();
  let fullReload = false;
  let chain: Promise<void> = Promise.resolve();
  let building: Promise<void> | undefined;
  /**
   * Changes may have been missed (a lost connection, a failed reread, a 'reload'): from then
   * until the full reload is in, the index may be behind by any amount of time.
   */
  let stale = false;
  const changeListeners: ((ids: readonly string[] | null) => void)[] = [];
  const changed = (ids: readonly string[] | null) => {
    for (const listener of changeListeners) listener(ids);
  };

  /** Every unit, oldest first, through a cursor: one pass, pages of LOAD_PAGE rows. */
  async function readAll(into: UnitSearchIndex): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.execute(sql`declare unit_search_load no scroll cursor for select ${COLUMNS} from registry_unit order by created_at, id`);
      for (;;) {
        const res = await tx.execute(sql.raw(`fetch ${LOAD_PAGE} from unit_search_load`));
        const rows = res.rows as unknown as Row[];
        for (const r of rows) into.upsert(toUnit(r));
        if (rows.length < LOAD_PAGE) break;
      }
      await tx.execute(sql`close unit_search_load`);
    });
  }

  /** Changes may have been missed: reread everything, and say the index is behind until then. */
  function reloadNeeded() {
    fullReload = true;
    if (!stale) {
      stale = true;
      changed(null);
    }
  }

  /** Build a new index beside the one in use and swap it in when complete. */
  async function build() {
    const t0 = Date.now();
    const fresh = new UnitSearchIndex();
    await readAll(fresh);
    fresh.trim();
    index = fresh;
    stale = false;
    changed(null);
    log(`unit search index: ${index.size} units in ${Date.now() - t0} ms`);
  }

  async function reread(ids: string[]) {
    for (let i = 0; i < ids.length; i += REFRESH_CHUNK) {
      const chunk = ids.slice(i, i + REFRESH_CHUNK);
      const res = await db.execute(sql`select ${COLUMNS} from registry_unit where id = any(${sql.param(chunk)}::uuid[])`);
      const seen = new Set<string>();
      for (const r of res.rows as unknown as Row[]) {
        seen.add(r.id);
        index.upsert(toUnit(r));
      }
      for (const id of chunk) if (!seen.has(id)) index.remove(id);
      changed(chunk);
    }
  }

  /** Queue work behind whatever runs now; one refresh at a time, failures logged, never thrown at the notifier. */
  function drain(): Promise<void> {
    chain = chain.then(async () => {
      if (stopped || !ready) return;
      if (fullReload) {
        fullReload = false;
        pending.clear();
        await build();
        retryDelay = 1_000;
        return;
      }
      if (pending.size === 0) return;
      const ids = [...pending];
      pending.clear();
      await reread(ids);
      retryDelay = 1_000;
    }).catch((err) => {
      // Reread everything, after a pause that grows while the database keeps failing.
      log(`unit search index: refresh failed, rereading everything in ${retryDelay / 1000} s: ${(err as Error).message}`);
      reloadNeeded();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void drain(), retryDelay);
      retryTimer.unref();
      retryDelay = Math.min(retryDelay * 2, 60_000);
    });
    return chain;
  }

  /**
   * Every HEARTBEAT_MS a marker goes round; if it does not come back the notification
   * connection has gone quiet (a half-open TCP connection says nothing): listen anew and reread.
   */
  async function heartbeat() {
    if (stopped || !ready) return;
    if (!(await sync())) {
      log('unit search index: notifications stopped arriving; reconnecting and rereading');
      listener?.reconnect();
    }
  }

  async function sync(): Promise<boolean> {
    if (!ready || stopped) return true;
    const marker = `sync:${process.pid}:${++markerSeq}:${Date.now()}`;
    let timer: NodeJS.Timeout | undefined;
    const back = new Promise<boolean>((resolve) => {
      markers.set(marker, () => resolve(true));
      // A lost notification connection must not hang the caller; the heartbeat repairs it.
      timer = setTimeout(() => resolve(false), 10_000);
    });
    let arrived: boolean;
    try {
      await db.execute(sql`select pg_notify(${UNIT_CHANGE_CHANNEL}, ${marker})`);
      arrived = await back;
    } finally {
      clearTimeout(timer);
      markers.delete(marker);
    }
    await drain();
    return arrived;
  }

  const markers = new Map<string, () => void>();
  let markerSeq = 0;

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  return {
    get ready() {
      return ready;
    },
    get size() {
      return index.size;
    },
    get current() {
      return ready && !stale;
    },
    async start() {
      if (building) return building;
      building = (async () => {
        // Listen first: a change committed during the build is then either in the rows read
        // or announced afterwards, never neither.
        listener = await database.listen(
          UNIT_CHANGE_CHANNEL,
          (payload) => {
            if (payload.startsWith('sync:')) {
              markers.get(payload)?.();
              return;
            }
            if (payload === 'reload') reloadNeeded();
            for (const id of payload.split(',')) if (UUID.test(id)) pending.add(id);
            void drain();
          },
          () => {
            reloadNeeded();
            void drain();
          },
        );
        await build();
        ready = true;
        heartbeatTimer = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS);
        heartbeatTimer.unref();
        await drain();
      })();
      return building;
    },
    async stop() {
      stopped = true;
      clearInterval(heartbeatTimer);
      clearTimeout(retryTimer);
      await listener?.stop();
      await chain;
    },
    async refresh(ids) {
      for (const id of ids) pending.add(id);
      await drain();
    },
    async sync() {
      await sync();
    },
    search(q, offset, limit, cap, budget) {
      return index.search(q, offset, limit, cap, budget);
    },
    onChange(listener) {
      changeListeners.push(listener);
    },
  };
}

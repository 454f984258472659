/**
 * Recently listed unit rows, kept by the server that read them, so that a page found by the
 * in-memory index is usually answered without a database round trip.
 *
 * A row is served only at the version the index holds for that unit: the page and its rows
 * then always come from the same committed state of each unit, and the index has already
 * applied the caller's jurisdiction to that state. Every change announced for a unit (its own
 * change, or its entity's: see migration 0002) evicts it. A read that was under way while an
 * eviction happened is not kept: it may have read the state from before the change.
 *
 * Kept rows also expire after `maxAgeMs`: the index learns of changes through notifications,
 * and a connection that stops delivering them without closing is only noticed by a heartbeat;
 * until then, a row is at worst `maxAgeMs` older than the database (read again, it is scoped
 * by the database once more).
 *
 * Bounded, by a second-chance (CLOCK) policy: rows go in at the end; when over capacity the
 * oldest go first, except that a row used since it was last passed over is moved to the end
 * instead. A hit only sets a flag, so reading costs one Map lookup.
 */
export interface CachedUnitRow {
  id: string;
  version: number;
}

export class UnitRowCache<T extends CachedUnitRow> {
  private rows = new Map<string, { row: T; used: boolean; keptAt: number }>();
  /** counts evictions: a read that started before one may be stale */
  private epoch = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly capacity: number,
    readonly maxAgeMs = 10_000,
  ) {}

  get generation() {
    return this.epoch;
  }

  get size() {
    return this.rows.size;
  }

  /** The row of this unit at exactly this version, if kept and not older than maxAgeMs at `now`. */
  get(id: string, version: number, now: number): T | undefined {
    const kept = this.rows.get(id);
    if (!kept || kept.row.version !== version || now - kept.keptAt > this.maxAgeMs) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    kept.used = true;
    return kept.row;
  }

  /** Keep rows read at `readAt` since `generation` (skipped when anything was evicted meanwhile). */
  put(rows: readonly T[], generation: number, readAt: number) {
    if (generation !== this.epoch || this.capacity <= 0) return;
    for (const row of rows) {
      this.rows.delete(row.id);
      this.rows.set(row.id, { row, used: false, keptAt: readAt });
    }
    // Each row is passed over at most once before it goes, so this ends.
    for (const [id, kept] of this.rows) {
      if (this.rows.size <= this.capacity) break;
      this.rows.delete(id);
      if (kept.used) {
        kept.used = false;
        this.rows.set(id, kept);
      }
    }
  }

  /** These units changed (null: anything may have changed). */
  evict(ids: Iterable<string> | null) {
    this.epoch++;
    if (ids === null) this.rows.clear();
    else for (const id of ids) this.rows.delete(id);
  }
}

import type { Database } from './platform/db.ts';
import type { Config } from './platform/config.ts';
import type { Clock } from './platform/clock.ts';
export interface CliContext {
  /** open the configured database (migrated and with reference data), run fn, close it */
  withDatabase<T>(fn: (database: Database, config: Config, clock: Clock) => Promise<T>): Promise<T>;
  out(line: string): void;   // stdout line
  err(line: string): void;   // stderr line
}

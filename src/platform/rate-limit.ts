import type { Clock } from './clock.ts';

/**
 * Fixed-window counter per key (e.g. client address). In memory: it protects one process;
 * the per-account lockout in the database protects across instances.
 */
export function createRateLimiter(clock: Clock, limit: number, windowMs: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** true when the call is allowed */
    take(key: string): boolean {
      const now = clock.now().getTime();
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
        if (windows.size > 50_000) {
          for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
        }
      }
      w.count++;
      return w.count <= limit;
    },
  };
}

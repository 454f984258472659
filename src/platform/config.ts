import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable ecopermit reads, parsed once. A bad value stops start-up with a
 * message naming the variable, rather than failing later at an odd hour.
 */
const ConfigSchema = z.object({
  /** Folder for the embedded database, its lock and generated files. */
  ECOPERMIT_DATA_DIR: z.string().min(1).default('./data'),
  /** When set, use this PostgreSQL instead of the embedded PGlite database. */
  DATABASE_URL: z.string().url().optional(),
  /** HTTP listen address and port for the API and the web console. */
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Idle session lifetime for console logins, in minutes. */
  SESSION_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(120),
  /** Failed logins before an account is locked, and for how long. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Login attempts allowed per client address per minute. */
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Load the demo region (units and demo users) into an empty database on first start. */
  ECOPERMIT_DEMO: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /** Size of the demo region loaded on first start. */
  ECOPERMIT_DEMO_UNITS: z.coerce.number().int().min(0).max(2_000_000).default(5000),
  /** Mark cookies Secure (set true behind HTTPS). */
  COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Seconds graceful shutdown waits for in-flight requests. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  /**
   * Keep the in-memory unit search index (fast newest-first lists; about 600 MB per million
   * units). false = every list query goes to SQL.
   */
  SEARCH_INDEX: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /**
   * Unit rows kept in memory for lists the search index answers (about 2.5 KB each with their
   * JSON), served only at the version the index holds; 0 = every page reads its rows from the
   * database. See docs/performance.md for what the size does to search throughput.
   */
  UNIT_ROW_CACHE: z.coerce.number().int().min(0).max(10_000_000).default(50_000),
  /**
   * Server processes sharing the port (PostgreSQL only: PGlite lives inside one process).
   * Each keeps its own search index, kept in step through NOTIFY.
   */
  ECOPERMIT_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Letter ending the permit numbers this platform issues: P in HJ 608-2017's example; the
   * national platform's letters vary, so configurable.
   */
  PERMIT_NUMBER_LETTER: z.string().regex(/^[A-Z]$/).default('P'),
  /**
   * How the 条例's periods (3-day notice, 20/30/45-day decisions) are counted: the 条例 says only
   * 日 and no source read settles it (permit-lifecycle.json rule day_counting), so configurable.
   * working = working days on the national holiday calendar (行政许可法 Art.82's way).
   */
  CASE_DAY_COUNTING: z.enum(['working', 'calendar']).default('working'),
  /** Working days before its due date that a case shows as near due in the officials' queue. */
  CASE_NEAR_DUE_DAYS: z.coerce.number().int().min(0).max(30).default(3),
  /** Largest file a case accepts, in MB (the upload limit of the server is 50 MB). */
  CASE_ATTACHMENT_MAX_MB: z.coerce.number().int().min(1).max(50).default(20),
  /** Requests per client address per minute to the public (no-login) pages. */
  PUBLIC_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /**
   * Permit versions whose content JSON is kept in memory for the permit page (versions never
   * change, so a kept one is never stale); about 2–25 KB each. 0 = read every time.
   */
  PERMIT_VERSION_CACHE: z.coerce.number().int().min(0).max(1_000_000).default(5_000),
  /** The CJK font embedded in permit PDFs (a .ttf, .otf or .ttc; Debian: fonts-wqy-microhei). */
  PDF_FONT: z.string().min(1).default('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  /** The PostScript name of the face inside a .ttc collection (ignored for single fonts). */
  PDF_FONT_NAME: z.string().min(1).default('WenQuanYiMicroHei'),
  /** The address the public sees the platform at: QR codes on permits link to its public pages. Default http://HOST:PORT. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Letter ending registration numbers (排污登记编号); uncertain in the sources, so configurable. */
  REGISTRATION_NUMBER_LETTER: z.string().regex(/^[A-Z]$/).default('W'),
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export class ConfigError extends Error {}

/** Parse the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`配置错误 / invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.ECOPERMIT_DATA_DIR) };
}

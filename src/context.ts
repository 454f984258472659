import type { Database } from './platform/db.ts';
import type { Config } from './platform/config.ts';
import type { Clock } from './platform/clock.ts';
import { createIdentityService } from './modules/identity/index.ts';
import { createReferenceService } from './modules/reference/index.ts';
import { createRegistryService, createUnitSearch } from './modules/registry/index.ts';
import { createPermitsService } from './modules/permits/index.ts';
import { createCasesService } from './modules/cases/index.ts';
import { createReviewService, createReviewTasksService } from './modules/review/index.ts';
import { createLedgerService } from './modules/ledger/index.ts';
import { chinaWorkCalendar } from './platform/work-calendar.ts';

/** Every service, wired once per process from the database, config and clock. */
export function createServices(database: Database, config: Config, clock: Clock, log: (msg: string) => void = () => {}) {
  const db = database.db;
  const identity = createIdentityService({
    db,
    clock,
    options: { sessionTtlMinutes: config.SESSION_TTL_MINUTES, maxFailures: config.LOGIN_MAX_FAILURES, lockMinutes: config.LOGIN_LOCK_MINUTES },
  });
  const reference = createReferenceService({ db });
  const unitSearch = config.SEARCH_INDEX ? createUnitSearch(database, log) : undefined;
  const registry = createRegistryService({
    db,
    clock,
    reference,
    registrationLetter: config.REGISTRATION_NUMBER_LETTER,
    search: unitSearch,
    rowCacheSize: config.UNIT_ROW_CACHE,
    onListenerError: (err) => log(`after closing a unit: ${(err as Error).message}`),
  });
  const permits = createPermitsService({
    db,
    clock,
    registry,
    reference,
    permitNumberLetter: config.PERMIT_NUMBER_LETTER,
    pdfFont: { path: config.PDF_FONT, name: config.PDF_FONT.toLowerCase().endsWith('.ttc') ? config.PDF_FONT_NAME : undefined },
    versionCacheSize: config.PERMIT_VERSION_CACHE,
    publicBaseUrl: (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, ''),
  });
  const review = createReviewService({ db, clock, reference });
  const cases = createCasesService({
    review,
    db,
    clock,
    registry,
    permits,
    reference,
    calendar: chinaWorkCalendar(),
    counting: config.CASE_DAY_COUNTING,
    nearDays: config.CASE_NEAR_DUE_DAYS,
    attachmentMaxBytes: config.CASE_ATTACHMENT_MAX_MB * 1024 * 1024,
  });
  // A closed site's valid permit gets its cancellation case (issue 3 item 9).
  registry.onUnitClosed((actor, unit) => cases.openCancellationForClosedUnit(unit.id, actor.displayName));
  const ledger = createLedgerService({ db, clock, registry });
  const reviewTasks = createReviewTasksService({ db, clock, review, ledger, reference });
  return { identity, reference, registry, unitSearch, permits, cases, review, reviewTasks, ledger };
}
export type Services = ReturnType<typeof createServices>;

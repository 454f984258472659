export { createLedgerService, type LedgerService } from './ledger.service.ts';
export { registerLedgerRoutes } from './ledger.routes.ts';
export { rectificationItem, rectificationUpdate } from './ledger.tables.ts';
export { registerLedgerCommands } from './ledger.cli.ts';

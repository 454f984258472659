export { createRegistryService, type RegistryService } from './registry.service.ts';
export { registerRegistryRoutes } from './registry.routes.ts';
export { importUnits, bulkInsertUnits, UNIT_COLUMNS, type GoodRow } from './registry.import.ts';
export { EXPORT_HEADERS, exportRow } from './registry.export.ts';
export { checkCreditCode, describeCreditCodeCheck, isValidCreditCode, makeCreditCode } from './credit-code.ts';
export { registryEntity, registryUnit, registryRegistration } from './registry.tables.ts';
export { escapeLike, nameGrams, regionPrefixIs, unitSearchTokens } from './search-tokens.ts';
/** Query builders of the unit list, for benchmarks that EXPLAIN what the API runs. */
export { listUnitsQuery, countUnitsQuery } from './registry.repo.ts';
/** The jurisdiction filter on registry_unit (region prefix; own entity for enterprise users), for modules scoped through a unit. */
export { unitScope } from './registry.repo.ts';
export { COUNT_CAP } from './registry.service.ts';
export { createUnitSearch, type UnitSearch } from './unit-search.ts';
/** csv/xlsx reading and column mapping, for other modules' imports (same limits and messages). */
export { parseImportFile, mapHeaders, ImportFileError, writeCsv, writeXlsx, sheetDownload } from './import-file.ts';

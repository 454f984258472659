export { REFERENCE_DATA_DIR } from './reference.loader.ts';
/** Reference data: GB/T 2260 regions, GB/T 4754 industries, HJ 212 pollutant codes, emission limits. */
export { loadReferenceData, REFERENCE_DATASET_NAMES, INDUSTRY_EDITION, type LoadResult } from './reference.loader.ts';
export {
  createReferenceService,
  ruleTablesFromFiles,
  type ReferenceService,
  type ReferenceLookup,
  type Dataset,
  type Region,
  type RegionRef,
  type RegionResolution,
  type RegionDetail,
  type RegionLevel,
  type RegionStatus,
  type Industry,
  type IndustryDetail,
  type IndustryLevel,
  type Pollutant,
  type PollutantMedium,
  type EmissionLimit,
  type LimitDirection,
  type StandardSummary,
} from './reference.service.ts';
export { registerReferenceRoutes } from './reference.routes.ts';
export { registerReferenceCommands } from './reference.cli.ts';
export { refDataset, refRegion, refIndustry, refPollutant, refEmissionLimit } from './reference.tables.ts';

export { analysePermitNumber, formatPermitNumber, type PermitNumberAnalysis, type PermitNumberFinding } from './permit-number.ts';
export { classifyUnit, checkDeclaredCategory, classificationVocabulary, type Category, type Classification, type ClassificationFacts } from './classification.ts';
export { registerPermitCommands } from './permits.cli.ts';
export { registerPermitRoutes } from './permits.routes.ts';
export { checkPermitContent, diffPermitContent, PERMIT_VALIDITY_YEARS, type ContentChange, type ContentProblem } from './permit-content.ts';
export { rowForIndustry } from './classification.ts';
export { createPermitsService, type PermitsService, type Within } from './permits.service.ts';
export { permit, permitVersion } from './permits.tables.ts';
export { samplePermitContent } from './permit-content.sample.ts';

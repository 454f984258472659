export { analysePermitNumber, formatPermitNumber, type PermitNumberAnalysis, type PermitNumberFinding } from './permit-number.ts';

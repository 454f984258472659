export { recordAudit, recordAuditBatch, listAuditForEntity, verifyAuditTrail } from './audit.service.ts';
export type { AuditInput, AuditVerifyResult, AuditProblem, AuditAnchor } from './audit.service.ts';
export { auditEvent } from './audit.tables.ts';

import type { Role } from '../../contracts/identity.ts';

/**
 * What each role may do, as named permissions the API checks and the console uses to build
 * its navigation. Scope (region prefix, own entity) is applied separately in the data layer.
 */
export const PERMISSIONS = {
  'registry.read': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement', 'monitoring', 'enterprise'],
  'registry.write': ['admin', 'ministry', 'provincial', 'municipal_permit'],
  'registry.import': ['admin', 'ministry', 'provincial', 'municipal_permit'],
  'registry.export': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement', 'monitoring', 'enterprise'],
  // Experts and technical agencies will see the cases they are assigned to (issue 3 item 6), not every permit.
  'permits.read': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement', 'monitoring', 'enterprise'],
  'permits.issue': ['admin', 'provincial', 'municipal_permit'],
  // Cases: every party reads (scope narrows: jurisdiction, own entity, own assignments).
  'cases.read': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement', 'monitoring', 'enterprise', 'expert', 'agency'],
  /** open an application or registration (the unit), or a cancellation request */
  'cases.apply': ['enterprise'],
  /** accept, evaluate, decide: the permit department (city) and the provincial bureau */
  'cases.decide': ['admin', 'provincial', 'municipal_permit'],
  /** complete an evaluation assigned to them */
  'cases.evaluate': ['admin', 'provincial', 'municipal_permit', 'expert', 'agency'],
  /** the expert pool and the list of technical agencies */
  'experts.manage': ['admin', 'provincial', 'municipal_permit'],
  /** quality review: sweeps over a jurisdiction and their findings */
  'review.run': ['admin', 'ministry', 'provincial', 'municipal_permit'],
  /** review tasks: take one assigned to them (officials, and experts of an expert group) */
  'review.task': ['admin', 'ministry', 'provincial', 'municipal_permit', 'expert'],
  /** 整改台账: read (units their own items), manage (put on, verify, close out) */
  'ledger.read': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement', 'enterprise'],
  'ledger.manage': ['admin', 'provincial', 'municipal_permit', 'municipal_enforcement'],
  'audit.read': ['admin', 'ministry', 'provincial', 'municipal_permit', 'municipal_enforcement'],
  'users.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function permissionsOf(role: string): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p] as readonly string[]).includes(role));
}

export function can(role: string, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly string[]).includes(role);
}

export { createIdentityService, type IdentityService, type NewUser } from './identity.service.ts';
export { registerIdentity, requireActor, requirePermission, SESSION_COOKIE } from './identity.routes.ts';
export { can, permissionsOf, type Permission } from './identity.permissions.ts';
export { appUser } from './identity.tables.ts';

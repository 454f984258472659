/**
 * Who is calling: resolved once per request from the session cookie or bearer token and
 * passed explicitly to every service call, which scopes its queries by it.
 */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  role: string;
  /** GB/T 2260 code prefix of the jurisdiction; '' = national */
  regionPrefix: string;
  /** enterprise users: the one legal entity whose units they see */
  entityId: string | null;
  via: 'session' | 'token' | 'cli';
  requestId?: string;
}

/** The actor the CLI acts as (an operator on the server, national scope). */
export function cliActor(name = 'cli'): Actor {
  return { userId: '00000000-0000-0000-0000-000000000000', username: name, displayName: `命令行 ${name}`, role: 'admin', regionPrefix: '', entityId: null, via: 'cli' };
}

/** The platform acting on its own (a reference-data change, a timed escalation), named in the audit trail. */
export function systemActor(username: string, displayName: string, regionPrefix = ''): Actor {
  return { userId: '00000000-0000-0000-0000-000000000000', username, displayName, role: 'admin', regionPrefix, entityId: null, via: 'cli' };
}

/** True when a region code lies inside the jurisdiction prefix. */
export function inJurisdiction(regionPrefix: string, regionCode: string): boolean {
  return regionCode.startsWith(regionPrefix);
}

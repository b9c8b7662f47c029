/**
 * Who may call whom, in one place: the token service only issues a token for a service (the
 * resource, RFC 8707) that a client has permissions at, and writes exactly those permissions
 * into it. Receivers then check the permissions; inventory also checks the caller.
 */
export const RESOURCES: Readonly<Record<string, readonly string[]>> = {
  'urn:shop:payments': ['payments:charge'],
  'urn:shop:inventory': ['inventory:read', 'inventory:reserve'],
  'urn:shop:shipping': ['shipping:create', 'shipping:read'],
};

/** Permissions of each client (service), whatever the resource. */
export const GRANTS: Readonly<Record<string, readonly string[]>> = {
  orders: ['payments:charge', 'inventory:read', 'inventory:reserve', 'shipping:create'],
  payments: ['inventory:read'],
};

/** The permissions `clientId` gets in a token for `resource`; empty when it may not call it. */
export function permissionsFor(clientId: string, resource: string): string[] {
  const offered = RESOURCES[resource] ?? [];
  const granted = new Set(GRANTS[clientId] ?? []);
  return offered.filter((permission) => granted.has(permission));
}

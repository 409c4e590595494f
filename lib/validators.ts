// The shapes of identifiers the portal accepts, defined once. Pure and secret-free (no `server-only`): route
// handlers, pages, actions, the configuration and the data layer all use them.

/** A GUID in its canonical 8-4-4-4-12 form, either case (tenant ids, object ids, UUID keys). */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * A tenant hint as people type it: the tenant id (a GUID) or a verified domain such as contoso.com. Expects
 * lowercase input (callers lowercase first: domains and GUIDs are case-insensitive).
 */
export const TENANT_HINT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(\.[a-z0-9-]+)+)$/;

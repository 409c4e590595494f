// The shapes of identifiers the portal accepts, defined once. Pure and secret-free (no `server-only`): route
// handlers, pages, actions, the configuration and the data layer all use them.
import { z } from "zod";

/** A GUID in its canonical 8-4-4-4-12 form, either case (tenant ids, object ids, UUID keys). */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * A Microsoft GUID as zod: any 8-4-4-4-12 hex value, whatever its version and variant bits. Entra tenant and
 * object ids and Dataverse ids are not all RFC 9562 UUIDs (`z.uuid()` refuses version 0 or the Microsoft variant
 * `c`/`d`, e.g. `00000000-0000-0000-c000-000000000046`); never validate a Microsoft id, on input or output, with it.
 */
export const microsoftGuid = () => z.guid({ error: "must be a GUID like 00000000-0000-0000-0000-000000000000" });

/**
 * A tenant hint as people type it: the tenant id (a GUID) or a verified domain such as contoso.com. Expects
 * lowercase input (callers lowercase first: domains and GUIDs are case-insensitive).
 */
export const TENANT_HINT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(\.[a-z0-9-]+)+)$/;

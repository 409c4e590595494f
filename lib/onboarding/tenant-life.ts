import "server-only";

// The customer's tenant changing as a whole: its consent found removed, its disconnection. Each is written
// (lib/data/tenants.ts), then told to the ISV's back end through the events owner (lib/events).
import type { TenantScope } from "@/lib/data/scope";
import { recordConsentRevoked, recordDisconnect } from "@/lib/data/tenants";
import { consentRemoved, tenantDisconnected } from "@/lib/events";

/** A verification found a granted consent gone: revoked, audited, and `consent.removed` published (once). */
export async function markConsentRevoked(scope: TenantScope, because: string): Promise<void> {
  if (await recordConsentRevoked(scope, because)) await consentRemoved(scope.tenantId, because);
}

/** Removes everything of the tenant but its marked row (lib/data/tenants.ts recordDisconnect), then publishes `tenant.disconnected`. */
export async function disconnectTenant(scope: TenantScope): Promise<void> {
  const { customerReference } = await recordDisconnect(scope);
  await tenantDisconnected(scope.tenantId, customerReference);
}

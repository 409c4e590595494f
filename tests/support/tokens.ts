// Fresh Entra tokens for the next request: the tenants' MSAL clients (and their token caches) are dropped, so a
// test sees the token round trip it stages, whatever an earlier test left cached.
import { DEMO_IDS } from "@tenant-onboarding/emulator";

export async function forgetTokens(...tenantIds: string[]): Promise<void> {
  const { forgetTenantClient } = await import("@/lib/entra/msal");
  for (const id of tenantIds.length > 0 ? tenantIds : Object.values(DEMO_IDS.tenants)) forgetTenantClient(id);
}

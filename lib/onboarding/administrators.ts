import "server-only";

// Who can change a customer tenant's connection, in words a reader of the tenant can act on: the roles, the
// administrators who already worked on it (from the tenant's own records), and where to send them.
import { describeAdministrators } from "@/lib/auth/customer-roles";
import { config } from "@/lib/config";
import type { TenantOverview } from "@/lib/data/tenants";
import { requestOrigin } from "@/lib/request-origin";

export async function whoCanAct(
  tenant: TenantOverview | null,
): Promise<{ administrators: string; knownAdmins: string[]; portalUrl: string }> {
  const names = [tenant?.consentGrantedByName, ...(tenant?.environments.map((e) => e.registeredByName) ?? [])].filter(
    (n): n is string => !!n,
  );
  return {
    administrators: describeAdministrators(config().entra.customerAdminRoleIds),
    knownAdmins: [...new Set(names)],
    portalUrl: `${await requestOrigin()}/onboarding`,
  };
}

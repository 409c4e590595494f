// A tenant administrator's data scope, as lib/data/scope.ts makes one from a signed-in session, for tests that
// call the data layer or the check engine directly.
import type { TenantScope } from "@/lib/data/scope";

export async function testCustomerScope(tenantId: string): Promise<TenantScope> {
  const { customerScope } = await import("@/lib/data/scope");
  return customerScope({
    id: "00000000-0000-4000-8000-000000000001",
    kind: "customer",
    entraTenantId: tenantId,
    tenantId,
    userObjectId: "00000000-0000-4000-8000-0000000000aa",
    userName: "Admin",
    userPrincipalName: "admin@example.com",
    appRoles: [],
    tenantAdmin: true,
    authenticatedAt: new Date(),
    expiresAt: new Date(Date.now() + 3600_000),
  });
}

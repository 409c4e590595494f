import "server-only";

// A TenantScope is the only key to tenant data: every function in lib/data that reads or changes a tenant's
// rows takes one, and a scope can only be made from a signed-in session — a customer's own tenant, or a tenant
// a support engineer opened. So no customer-area query can run without the signed-in tenant.
import type { Actor } from "@/lib/audit";
import type { CustomerSession, StaffSession } from "@/lib/auth/session";

const brand: unique symbol = Symbol("TenantScope");

export type TenantScope = { readonly tenantId: string; readonly actor: Actor; readonly [brand]: true };

export function customerScope(session: CustomerSession): TenantScope {
  return {
    tenantId: session.tenantId,
    actor: {
      kind: "CUSTOMER",
      tenantId: session.entraTenantId,
      objectId: session.userObjectId,
      name: session.userName,
    },
    [brand]: true,
  };
}

export function staffScope(session: StaffSession, tenantId: string): TenantScope {
  return {
    tenantId: tenantId.toLowerCase(),
    actor: { kind: "STAFF", tenantId: session.entraTenantId, objectId: session.userObjectId, name: session.userName },
    [brand]: true,
  };
}

/**
 * The portal acting on its own for one tenant (the scheduled re-verification): the tenant comes from the job,
 * which the portal queued itself from the environment's own row, never from a request.
 */
export function systemScope(tenantId: string, name: string): TenantScope {
  return { tenantId: tenantId.toLowerCase(), actor: { kind: "SYSTEM", name }, [brand]: true };
}

// Who may sign in, and as what, decided from the id_token's `tid`, `roles` and `wids` after next-auth has
// validated it (issuer checked against the token's own tenant, nonce, PKCE). Pure, so every rule has a unit test.
import { isTenantAdministrator, widsOf } from "@/lib/auth/customer-roles";
import { GUID } from "@/lib/validators";

/** The tenant of personal Microsoft accounts (docs/protocol/entra.md A1, A2). */
export const PERSONAL_ACCOUNT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export type SignInRefusal = "personal-account" | "other-tenant" | "missing-claims" | "home-tenant-no-role";

export type SignInDecision =
  | { allowed: true; kind: "staff" | "customer"; tenantId: string; roles: string[]; tenantAdmin: boolean }
  | { allowed: false; reason: SignInRefusal };

export type SignInPolicy = {
  tenancy: "multi" | "single";
  homeTenantId: string;
  staffRoles: string[];
  /** Directory role template ids whose holders administer their tenant's connection. */
  adminRoleIds: readonly string[];
};

export function decideSignIn(claims: Readonly<Record<string, unknown>>, policy: SignInPolicy): SignInDecision {
  if (
    typeof claims.tid !== "string" ||
    !GUID.test(claims.tid) ||
    typeof claims.oid !== "string" ||
    !GUID.test(claims.oid)
  ) {
    return { allowed: false, reason: "missing-claims" };
  }
  const tenantId = claims.tid.toLowerCase();
  if (tenantId === PERSONAL_ACCOUNT_TENANT_ID) return { allowed: false, reason: "personal-account" };
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  const home = tenantId === policy.homeTenantId.toLowerCase();
  if (policy.tenancy === "single" && !home) return { allowed: false, reason: "other-tenant" };
  // Staff are home-tenant users holding one of the support app roles. In multi-tenant mode the vendor's own
  // tenant is never a customer: its other users are refused. Everyone else signs in as a user of their own
  // tenant, an administrator of its connection or a reader (in single-tenant mode the home tenant is the one
  // customer).
  const isStaff = home && roles.some((r) => policy.staffRoles.includes(r));
  if (!isStaff && home && policy.tenancy === "multi") return { allowed: false, reason: "home-tenant-no-role" };
  const tenantAdmin = !isStaff && isTenantAdministrator(widsOf(claims), policy.adminRoleIds);
  return { allowed: true, kind: isStaff ? "staff" : "customer", tenantId, roles, tenantAdmin };
}

/**
 * When the user last entered credentials at Entra ID: the ID token's `auth_time` (an optional claim of the app
 * registration, docs/protocol/entra.md "Re-authentication"), else the sign-in itself. A value that is not a
 * positive number, or lies in the future beyond five minutes of clock skew, is not believed.
 */
export function authenticatedAt(authTime: unknown, now = new Date()): Date {
  if (
    typeof authTime === "number" &&
    Number.isFinite(authTime) &&
    authTime > 0 &&
    authTime * 1000 <= now.getTime() + 5 * 60_000
  ) {
    return new Date(Math.min(authTime * 1000, now.getTime()));
  }
  return now;
}

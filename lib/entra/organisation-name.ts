import "server-only";

// A customer tenant's organisation name, read from Microsoft Graph after its first sign-in (in the background: the
// sign-in never waits for Graph). Until it is known, or when Graph refuses or cannot be reached, pages show the
// tenant's domain (`displayName` stays the domain): one warning line per attempt, never an error page.
import { audit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";
import { findTenantInformation, type TenantInformation } from "@/lib/entra/tenant-information";
import { logger } from "@/lib/log";

export type NameResolution =
  | { resolved: true; displayName: string }
  | { resolved: false; reason: Extract<TenantInformation, { found: false }>["reason"] | "already" | "unknown-tenant" };

/** Reads the name once per tenant (until it succeeds) and stores it; audited as `tenant.name_resolved`. */
export async function resolveOrganisationName(scope: TenantScope): Promise<NameResolution> {
  const tenant = await db().tenant.findUnique({
    where: { id: scope.tenantId },
    select: { displayName: true, displayNameResolvedAt: true },
  });
  if (!tenant) return { resolved: false, reason: "unknown-tenant" };
  if (tenant.displayNameResolvedAt) return { resolved: false, reason: "already" };
  const info = await findTenantInformation(scope.tenantId);
  if (!info.found) {
    logger().warn(
      { tenantId: scope.tenantId, reason: info.reason, detail: info.detail },
      "organisation name not read from Microsoft Graph; the domain is shown",
    );
    return { resolved: false, reason: info.reason };
  }
  await db().$transaction(async (tx) => {
    await tx.tenant.update({
      where: { id: scope.tenantId },
      data: { displayName: info.displayName, displayNameResolvedAt: new Date() },
    });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "tenant.name_resolved",
        target: { type: "tenant", id: scope.tenantId },
        details: { displayName: info.displayName, previous: tenant.displayName, source: "microsoft-graph" },
      },
      tx,
    );
  });
  return { resolved: true, displayName: info.displayName };
}

/**
 * Starts resolveOrganisationName without waiting for it (called right after a customer's sign-in). A failure is a
 * warning line; the next sign-in tries again.
 */
export function resolveOrganisationNameInBackground(scope: TenantScope): void {
  void resolveOrganisationName(scope).catch((error: unknown) =>
    logger().warn(
      { tenantId: scope.tenantId, err: error instanceof Error ? error.message : String(error) },
      "organisation name resolution failed",
    ),
  );
}

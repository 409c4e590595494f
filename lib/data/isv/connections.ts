import "server-only";

// The ISV back end's read of every connected tenant (/api/v1). Unscoped by design, like the support console's
// queries, and read-only; it selects only what the API documents (no audit trail, no staff or vendor detail).
import { CONNECTED_TENANTS, tenantStateWhere, type ConnectionState } from "@/lib/api/connection-state";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";

const connectionSelect = {
  id: true,
  customerReference: true,
  displayName: true,
  primaryDomain: true,
  consentState: true,
  consentGrantedAt: true,
  latestCheckOutcome: true,
  health: true,
  latestCheckAt: true,
  updatedAt: true,
  environments: {
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      url: true,
      organizationId: true,
      cloud: true,
      friendlyName: true,
      latestCheckOutcome: true,
      health: true,
      latestCheckAt: true,
      latestFailingStep: true,
      createdAt: true,
      updatedAt: true,
    },
  },
  // Marketplace subscriptions (lib/subscriptions/vocabulary.ts currentSubscriptionOf picks the one that counts).
  subscriptions: {
    select: {
      id: true,
      offerId: true,
      planId: true,
      quantity: true,
      status: true,
      activatedAt: true,
      resolvedAt: true,
      updatedAt: true,
    },
  },
} satisfies Prisma.TenantSelect;

export type ConnectionRow = Prisma.TenantGetPayload<{ select: typeof connectionSelect }>;

export type ConnectionFilter = { state?: ConnectionState; updatedSince?: Date; afterTenantId?: string; limit: number };

/** One page in tenant id order; `hasMore` when a next page exists. */
export async function listConnections(filter: ConnectionFilter): Promise<{ rows: ConnectionRow[]; hasMore: boolean }> {
  const where: Prisma.TenantWhereInput = {
    AND: [
      CONNECTED_TENANTS,
      filter.state ? tenantStateWhere(filter.state) : {},
      filter.updatedSince
        ? {
            OR: [
              { updatedAt: { gte: filter.updatedSince } },
              { environments: { some: { updatedAt: { gte: filter.updatedSince } } } },
              { subscriptions: { some: { updatedAt: { gte: filter.updatedSince } } } },
            ],
          }
        : {},
      filter.afterTenantId ? { id: { gt: filter.afterTenantId } } : {},
    ],
  };
  const rows = await db().tenant.findMany({
    where,
    orderBy: { id: "asc" },
    take: filter.limit + 1,
    select: connectionSelect,
  });
  return { rows: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

export async function getConnection(tenantId: string): Promise<ConnectionRow | null> {
  return db().tenant.findFirst({
    where: { AND: [CONNECTED_TENANTS, { id: tenantId.toLowerCase() }] },
    select: connectionSelect,
  });
}

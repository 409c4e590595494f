import "server-only";

// Marketplace subscriptions as the support console shows them (staff-only, unscoped): the list with its status and
// plan filters, one subscription with its operation history, and the plans in use (the filter's choices).
import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { SUBSCRIPTION_STATUSES } from "@/lib/subscriptions/vocabulary";

const HEX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SUBSCRIPTION_PAGE_SIZE = 50;

/** The list's filters, from the address: a wrong value is reported, never a 500. */
export const subscriptionFiltersSchema = z
  .object({
    status: z.enum(SUBSCRIPTION_STATUSES).optional(),
    plan: z
      .string()
      .regex(/^[a-z0-9_-]{1,50}$/, "must be a plan id")
      .optional(),
    page: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strip();
export type SubscriptionFilters = z.infer<typeof subscriptionFiltersSchema>;

export function parseSubscriptionFilters(
  params: Record<string, string | string[] | undefined>,
): { ok: true; filters: SubscriptionFilters } | { ok: false; errors: string[] } {
  const flat = Object.fromEntries(
    Object.entries(params)
      .map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])
      .filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = subscriptionFiltersSchema.safeParse(flat);
  return parsed.success
    ? { ok: true, filters: parsed.data }
    : { ok: false, errors: parsed.error.issues.map((i) => `${String(i.path[0] ?? "filter")} ${i.message}`) };
}

const listSelect = {
  id: true,
  name: true,
  offerId: true,
  planId: true,
  quantity: true,
  status: true,
  beneficiaryTenantId: true,
  beneficiaryEmail: true,
  tenantId: true,
  resolvedAt: true,
  activatedAt: true,
  lastOperationAt: true,
  isTest: true,
  tenant: { select: { displayName: true, primaryDomain: true, disconnectedAt: true } },
} satisfies Prisma.MarketplaceSubscriptionSelect;

export type SupportSubscriptionRow = Prisma.MarketplaceSubscriptionGetPayload<{ select: typeof listSelect }>;

export async function listSubscriptions(
  filters: SubscriptionFilters,
): Promise<{ rows: SupportSubscriptionRow[]; total: number }> {
  const where: Prisma.MarketplaceSubscriptionWhereInput = {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.plan ? { planId: filters.plan } : {}),
  };
  const page = filters.page ?? 1;
  const [rows, total] = await Promise.all([
    db().marketplaceSubscription.findMany({
      where,
      orderBy: [{ resolvedAt: "desc" }, { id: "asc" }],
      skip: (page - 1) * SUBSCRIPTION_PAGE_SIZE,
      take: SUBSCRIPTION_PAGE_SIZE,
      select: listSelect,
    }),
    db().marketplaceSubscription.count({ where }),
  ]);
  return { rows, total };
}

/** The plan ids in use, for the plan filter. */
export async function subscriptionPlans(): Promise<string[]> {
  const rows = await db().marketplaceSubscription.findMany({
    distinct: ["planId"],
    select: { planId: true },
    orderBy: { planId: "asc" },
  });
  return rows.map((r) => r.planId);
}

export async function getSupportSubscription(id: string) {
  if (!HEX_ID.test(id)) return null;
  return db().marketplaceSubscription.findUnique({
    where: { id: id.toLowerCase() },
    select: {
      ...listSelect,
      publisherId: true,
      purchaserEmail: true,
      purchaserTenantId: true,
      isFreeTrial: true,
      termUnit: true,
      termStartDate: true,
      termEndDate: true,
      activatedByName: true,
      suspendedAt: true,
      unsubscribedAt: true,
      operations: {
        orderBy: [{ receivedAt: "desc" }, { id: "asc" }],
        take: 200,
        select: {
          id: true,
          action: true,
          outcome: true,
          planId: true,
          quantity: true,
          previousPlanId: true,
          previousQuantity: true,
          occurredAt: true,
          source: true,
          detail: true,
          receivedAt: true,
        },
      },
    },
  });
}

export type SupportSubscription = NonNullable<Awaited<ReturnType<typeof getSupportSubscription>>>;

/** A tenant's subscriptions, newest first (the console's tenant page). */
export async function tenantSubscriptions(tenantId: string) {
  return db().marketplaceSubscription.findMany({
    where: { OR: [{ tenantId: tenantId.toLowerCase() }, { beneficiaryTenantId: tenantId.toLowerCase() }] },
    orderBy: [{ resolvedAt: "desc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      planId: true,
      quantity: true,
      status: true,
      resolvedAt: true,
      activatedAt: true,
      unsubscribedAt: true,
    },
  });
}

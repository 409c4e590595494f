import "server-only";

// Marketplace SaaS subscriptions and the operations Microsoft notified (lib/subscriptions/ decides; this module only
// reads and writes, each change with its audit event in the same transaction). Two kinds of caller:
// - a customer, through its TenantScope: the subscription of its own tenant, read with the tenant
//   (lib/data/tenants.ts getTenantWithSubscription, with subscriptionSelect below);
// - Microsoft, naming a subscription by its id: the landing page's resolve (the purchase token proved it) and the
//   webhook (Get Operation confirmed it). Those reads and writes take the id Microsoft gave, never a session's.
import { audit, type Actor } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { Prisma, type SubscriptionStatus } from "@/lib/generated/prisma/client";
import type { OperationOutcome } from "@/lib/subscriptions/vocabulary";

const HEX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A subscription's fields as the portal reads them (also with its tenant: lib/data/tenants.ts). */
export const subscriptionSelect = {
  id: true,
  tenantId: true,
  beneficiaryTenantId: true,
  beneficiaryEmail: true,
  purchaserEmail: true,
  purchaserTenantId: true,
  name: true,
  publisherId: true,
  offerId: true,
  planId: true,
  quantity: true,
  status: true,
  isTest: true,
  isFreeTrial: true,
  termUnit: true,
  termStartDate: true,
  termEndDate: true,
  resolvedAt: true,
  activatedAt: true,
  activatedByName: true,
  suspendedAt: true,
  unsubscribedAt: true,
  lastOperationAt: true,
  updatedAt: true,
} satisfies Prisma.MarketplaceSubscriptionSelect;

export type SubscriptionRow = Prisma.MarketplaceSubscriptionGetPayload<{ select: typeof subscriptionSelect }>;

/** A subscription as Microsoft described it (resolve or Get subscription), in the portal's words. */
export type SubscriptionInput = {
  id: string;
  name: string;
  publisherId: string;
  offerId: string;
  planId: string;
  quantity: number | null;
  status: SubscriptionStatus;
  beneficiaryTenantId: string;
  beneficiaryEmail: string | null;
  beneficiaryObjectId: string | null;
  purchaserTenantId: string | null;
  purchaserEmail: string | null;
  purchaserObjectId: string | null;
  isTest: boolean;
  isFreeTrial: boolean;
  termUnit: string | null;
  termStartDate: Date | null;
  termEndDate: Date | null;
};

/** A subscription by Microsoft's id (the landing page, the activation after sign-in, the webhook). */
export async function subscriptionById(id: string): Promise<SubscriptionRow | null> {
  if (!HEX_ID.test(id)) return null;
  return db().marketplaceSubscription.findUnique({ where: { id: id.toLowerCase() }, select: subscriptionSelect });
}

/**
 * Records a subscription Microsoft described, once: a second resolve of the same purchase changes nothing here.
 * Linked to the beneficiary's tenant when that tenant already signed in. Returns the stored row.
 */
export async function recordSubscription(
  input: SubscriptionInput,
  actor: Actor,
): Promise<{ row: SubscriptionRow; created: boolean }> {
  const id = input.id.toLowerCase();
  try {
    const row = await db().$transaction(async (tx) => {
      const tenant = await tx.tenant.findUnique({ where: { id: input.beneficiaryTenantId }, select: { id: true } });
      const created = await tx.marketplaceSubscription.create({
        data: {
          ...input,
          id,
          tenantId: tenant?.id ?? null,
          unsubscribedAt: input.status === "UNSUBSCRIBED" ? new Date() : null,
        },
        select: subscriptionSelect,
      });
      await audit(
        {
          actor,
          tenantId: input.beneficiaryTenantId,
          action: "subscription.resolved",
          target: { type: "subscription", id },
          details: {
            offerId: input.offerId,
            planId: input.planId,
            quantity: input.quantity,
            status: input.status,
            beneficiary: input.beneficiaryEmail,
            purchaser: input.purchaserEmail,
          },
        },
        tx,
      );
      return created;
    });
    return { row, created: true };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await subscriptionById(id);
      if (existing) return { row: existing, created: false };
    }
    throw error;
  }
}

/** Links a subscription to its beneficiary's tenant once that tenant has signed in (a no-op otherwise). */
export async function linkSubscriptionToTenant(id: string): Promise<void> {
  const row = await db().marketplaceSubscription.findUnique({
    where: { id: id.toLowerCase() },
    select: { tenantId: true, beneficiaryTenantId: true },
  });
  if (!row || row.tenantId) return;
  const tenant = await db().tenant.findUnique({ where: { id: row.beneficiaryTenantId }, select: { id: true } });
  if (tenant)
    await db().marketplaceSubscription.updateMany({
      where: { id: id.toLowerCase(), tenantId: null },
      data: { tenantId: tenant.id },
    });
}

export type SubscriptionChanges = Partial<
  Pick<
    Prisma.MarketplaceSubscriptionUncheckedUpdateInput,
    | "status"
    | "planId"
    | "quantity"
    | "activatedAt"
    | "activatedByName"
    | "activatedByObjectId"
    | "suspendedAt"
    | "unsubscribedAt"
    | "lastOperationAt"
    | "tenantId"
    | "termStartDate"
    | "termEndDate"
  >
>;

export type OperationRecord = {
  id: string;
  action: string;
  outcome: OperationOutcome;
  planId: string | null;
  quantity: number | null;
  previousPlanId: string | null;
  previousQuantity: number | null;
  occurredAt: Date | null;
  source: string | null;
  detail: string | null;
};

class ChangeRefused extends Error {
  constructor(readonly reason: "duplicate" | "moved") {
    super(reason);
  }
}

/**
 * One change of a subscription, with the operation that caused it (if any) and its audit event, in one transaction.
 * The change applies only while the subscription is still in `whenStatus` and no newer operation was applied (so a
 * concurrent or out-of-order change loses); an operation id seen before makes it a duplicate. Either way nothing is
 * written.
 */
export async function changeSubscription(change: {
  subscriptionId: string;
  whenStatus: SubscriptionStatus[];
  set: SubscriptionChanges;
  operation?: OperationRecord;
  audit: { actor: Actor; tenantId: string; action: string; details?: Prisma.InputJsonValue };
}): Promise<"changed" | "duplicate" | "moved"> {
  const id = change.subscriptionId.toLowerCase();
  try {
    await db().$transaction(async (tx) => {
      if (change.operation)
        await tx.marketplaceOperation.create({
          data: { ...change.operation, id: change.operation.id.toLowerCase(), subscriptionId: id },
          select: { id: true },
        });
      const occurredAt = change.operation?.occurredAt ?? null;
      const updated = await tx.marketplaceSubscription.updateMany({
        where: {
          id,
          status: { in: change.whenStatus },
          ...(occurredAt ? { OR: [{ lastOperationAt: null }, { lastOperationAt: { lt: occurredAt } }] } : {}),
        },
        data: change.set,
      });
      if (updated.count !== 1) throw new ChangeRefused("moved");
      await audit(
        {
          actor: change.audit.actor,
          tenantId: change.audit.tenantId,
          action: change.audit.action,
          target: { type: "subscription", id },
          ...(change.audit.details !== undefined ? { details: change.audit.details } : {}),
        },
        tx,
      );
    });
    return "changed";
  } catch (error) {
    if (error instanceof ChangeRefused) return error.reason;
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return "duplicate";
    throw error;
  }
}

/** An operation the portal did not act on (rejected, ignored, unknown), recorded with its audit event. */
export async function recordOperation(
  subscriptionId: string,
  operation: OperationRecord,
  event: { actor: Actor; tenantId: string; action: string; details?: Prisma.InputJsonValue },
): Promise<"recorded" | "duplicate"> {
  const id = subscriptionId.toLowerCase();
  try {
    await db().$transaction(async (tx) => {
      await tx.marketplaceOperation.create({
        data: { ...operation, id: operation.id.toLowerCase(), subscriptionId: id },
        select: { id: true },
      });
      await audit(
        {
          actor: event.actor,
          tenantId: event.tenantId,
          action: event.action,
          target: { type: "subscription", id },
          ...(event.details !== undefined ? { details: event.details } : {}),
        },
        tx,
      );
    });
    return "recorded";
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return "duplicate";
    throw error;
  }
}

/** Whether Microsoft's operation was handled already (a repeated notification: M-56). */
export async function operationSeen(operationId: string): Promise<boolean> {
  if (!HEX_ID.test(operationId)) return false;
  return (await db().marketplaceOperation.count({ where: { id: operationId.toLowerCase() } })) > 0;
}

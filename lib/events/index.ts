import "server-only";

// The one owner of lifecycle events. Each state change people or the ISV's back end are told about comes here,
// after the change is committed: a finished check's health transition (lib/checks/finish.ts), the tenant's
// consent revoked and its disconnection (lib/onboarding/tenant-life.ts), a marketplace subscription's changes
// (lib/subscriptions). Here it becomes its event (one payload shape per event, ./payloads.ts) and is handed to
// the signed webhook outbox and, for a transition, to the alert e-mails. Nothing else publishes or mails them.
import { z } from "zod";
import { EVENT_PAYLOADS } from "@/lib/events/payloads";
import { transitionEvent, type Transition } from "@/lib/events/transitions";
import type { LifecycleEventType } from "@/lib/events/types";
import { logger } from "@/lib/log";
import { queueAlertMails } from "@/lib/notifications";
import { publishLifecycleEvent } from "@/lib/webhooks";
import {
  API_SUBSCRIPTION_STATUS,
  SUBSCRIPTION_EVENT_TYPES,
  SUBSCRIPTION_STATUSES,
  type SubscriptionEventType,
} from "@/lib/subscriptions/vocabulary";

export { LIFECYCLE_EVENT_TYPES, type LifecycleEventType } from "@/lib/events/types";
export { EVENT_PAYLOADS, type EventPayload } from "@/lib/events/payloads";
export {
  transitionEvent,
  type Transition,
  type TransitionEventType,
  type TransitionKind,
} from "@/lib/events/transitions";

type Publication = {
  tenantId: string;
  environment?: { id: string; url: string };
  /** Read from the tenant when left out (pass it when the tenant row is gone, as a disconnect does). */
  customerReference?: string | null;
  occurredAt?: Date;
  data?: Record<string, string | number | boolean | null>;
};

/** Checks the event against its one payload shape, then hands it to the webhook outbox (which never throws). */
async function publish(type: LifecycleEventType, event: Publication): Promise<void> {
  const shape = EVENT_PAYLOADS[type];
  const checked = shape.data.safeParse(event.data ?? {});
  if (!checked.success || (shape.environment === "required") !== (event.environment !== undefined)) {
    // A publisher's mistake, never the customer's: logged loudly; the change it reports is already committed.
    logger().error(
      { type, tenantId: event.tenantId, err: checked.error?.message ?? `environment ${shape.environment}` },
      "lifecycle event does not have its payload shape; not sent",
    );
    return;
  }
  const data = checked.data as Record<string, string | number | boolean | null>;
  await publishLifecycleEvent({
    type,
    tenantId: event.tenantId,
    environment: event.environment ?? null,
    ...(event.customerReference !== undefined ? { customerReference: event.customerReference } : {}),
    ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
    data,
  });
}

/** What a finished check changed that people are told about (lib/checks/finish.ts). */
export type CheckEnd = {
  /** The environment's health transition, when the check caused one. */
  transition: Transition | null;
  /** The tenant's consent went from granted to revoked with this check (it found the consent gone). */
  consentRevoked: boolean;
};

/**
 * Tells people about a finished check's transition: the alert e-mails first, then the webhook. Called once per
 * check, after it is committed; never throws (a channel that fails logs, and its queue retries).
 */
export async function checkFinished(end: CheckEnd): Promise<void> {
  const t = end.transition;
  if (!t) return;
  const type = transitionEvent(t);
  try {
    await queueAlertMails({ ...t, event: type });
  } catch (error) {
    logger().error(
      { kind: t.kind, environmentId: t.environmentId, err: error instanceof Error ? error.message : String(error) },
      "alert e-mail could not be queued",
    );
  }
  const environment = { id: t.environmentId, url: t.environmentUrl };
  if (type === "connection.ready") await publish(type, { tenantId: t.tenantId, environment });
  else if (type === "consent.removed") {
    // The tenant's event, once: when this check is the one that revoked the consent.
    if (end.consentRevoked) await consentRemoved(t.tenantId, "re-verification");
  } else if (type) {
    await publish(type, {
      tenantId: t.tenantId,
      environment,
      occurredAt: t.at,
      data: {
        from: t.from,
        to: t.to,
        cause: t.cause,
        causeId: t.causeId,
        brokenSince: t.brokenSince?.toISOString() ?? null,
        checkId: t.checkId,
      },
    });
  }
}

/** The tenant's consent went from granted to revoked. */
export function consentRemoved(tenantId: string, because: string): Promise<void> {
  return publish("consent.removed", { tenantId, data: { because } });
}

/** The customer disconnected: its rows are gone, so the customer reference it had is passed in. */
export function tenantDisconnected(tenantId: string, customerReference: string | null): Promise<void> {
  return publish("tenant.disconnected", { tenantId, customerReference });
}

const subscriptionEvent = z.object({
  type: z.enum(SUBSCRIPTION_EVENT_TYPES),
  subscription: z.object({
    id: z.string(),
    /** The beneficiary's tenant: whom the event concerns. */
    tenantId: z.string(),
    offerId: z.string(),
    planId: z.string(),
    quantity: z.number().int().nullable(),
    status: z.enum(SUBSCRIPTION_STATUSES),
  }),
  previous: z.object({ planId: z.string(), quantity: z.number().int().nullable() }).optional(),
  occurredAt: z.date().optional(),
});

export type SubscriptionEvent = z.input<typeof subscriptionEvent>;

/** A marketplace subscription changed (subscription.activated, .suspended, .reinstated, .unsubscribed, .plan_changed). */
export async function publishSubscriptionEvent(
  type: SubscriptionEventType,
  event: Omit<SubscriptionEvent, "type">,
): Promise<void> {
  const { subscription, previous, occurredAt } = subscriptionEvent.parse({ ...event, type });
  await publish(type, {
    tenantId: subscription.tenantId,
    ...(occurredAt ? { occurredAt } : {}),
    data: {
      subscriptionId: subscription.id,
      offerId: subscription.offerId,
      planId: subscription.planId,
      quantity: subscription.quantity,
      status: API_SUBSCRIPTION_STATUS[subscription.status],
      ...(previous ? { previousPlanId: previous.planId, previousQuantity: previous.quantity } : {}),
    },
  });
}

import "server-only";

// The one place a subscription's lifecycle events are published (subscription.activated, .suspended, .reinstated,
// .unsubscribed, .plan_changed): each goes to the signed webhook outbox (lib/monitoring/webhooks.ts) with the
// subscription's facts in `data`, after the change it reports is committed. Nothing else publishes them.
import { z } from "zod";
import { publishLifecycleEvent } from "@/lib/monitoring/webhooks";
import { API_SUBSCRIPTION_STATUS, SUBSCRIPTION_EVENT_TYPES, SUBSCRIPTION_STATUSES, type SubscriptionEventType } from "@/lib/subscriptions/vocabulary";

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

export async function publishSubscriptionEvent(type: SubscriptionEventType, event: Omit<SubscriptionEvent, "type">): Promise<void> {
  const { subscription, previous, occurredAt } = subscriptionEvent.parse({ ...event, type });
  await publishLifecycleEvent({
    type,
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

import "server-only";

// One payload shape per lifecycle event: whether it names an environment, and what its `data` holds. The body
// around them (id, type, occurredAt, tenantId, customerReference) is the same for every event (README
// "Lifecycle events"; the OpenAPI document's LifecycleEvent). Every event is checked against its shape before it
// is handed to the webhook outbox, so a publisher cannot invent a second shape.
import { z } from "zod";
import { LIFECYCLE_EVENT_TYPES, type LifecycleEventType } from "@/lib/events/types";
import { API_SUBSCRIPTION_STATUSES } from "@/lib/subscriptions/vocabulary";

const healthState = z.enum(["HEALTHY", "DEGRADED", "BROKEN", "RECOVERED"]);

/** connection.broken and connection.recovered: the health transition a finished check caused. */
const transitionData = z
  .object({
    from: healthState.nullable(),
    to: healthState,
    cause: z.string().nullable(),
    causeId: z.string().nullable(),
    brokenSince: z.iso.datetime().nullable(),
    checkId: z.string(),
  })
  .strict();

const subscriptionData = z
  .object({
    subscriptionId: z.string(),
    offerId: z.string(),
    planId: z.string(),
    quantity: z.number().int().nullable(),
    status: z.enum(API_SUBSCRIPTION_STATUSES),
    previousPlanId: z.string().optional(),
    previousQuantity: z.number().int().nullable().optional(),
  })
  .strict();

export type EventPayload = { environment: "required" | "none"; data: z.ZodObject };

/** The payload of each event type: `environment` is set for connection.* events and null for the others. */
export const EVENT_PAYLOADS = {
  // An environment's first check that did not fail: nothing more to say than which environment.
  "connection.ready": { environment: "required", data: z.object({}).strict() },
  "connection.broken": { environment: "required", data: transitionData },
  "connection.recovered": { environment: "required", data: transitionData },
  // The tenant's consent went from granted to revoked (a check found it gone, or its verification failed): the
  // whole tenant, with the reason recorded in its audit entry.
  "consent.removed": { environment: "none", data: z.object({ because: z.string() }).strict() },
  "tenant.disconnected": { environment: "none", data: z.object({}).strict() },
  // A marketplace subscription changed; `previous*` only for subscription.plan_changed.
  "subscription.activated": { environment: "none", data: subscriptionData },
  "subscription.suspended": { environment: "none", data: subscriptionData },
  "subscription.reinstated": { environment: "none", data: subscriptionData },
  "subscription.unsubscribed": { environment: "none", data: subscriptionData },
  "subscription.plan_changed": { environment: "none", data: subscriptionData },
} satisfies Record<LifecycleEventType, EventPayload>;

// Every type has its shape (a type added to LIFECYCLE_EVENT_TYPES without one fails here, at start-up).
for (const type of LIFECYCLE_EVENT_TYPES)
  if (!(type in EVENT_PAYLOADS)) throw new Error(`lifecycle event ${type} has no payload shape`);

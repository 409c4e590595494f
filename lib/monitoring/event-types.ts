import "server-only";

// Every lifecycle event type the portal publishes: one owner, read by the webhooks, the API's OpenAPI document
// (its `webhooks` section) and the console.
import { SUBSCRIPTION_EVENT_TYPES } from "@/lib/subscriptions/vocabulary";

export const LIFECYCLE_EVENT_TYPES = ["connection.ready", "connection.broken", "connection.recovered", "consent.removed", "tenant.disconnected", ...SUBSCRIPTION_EVENT_TYPES] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

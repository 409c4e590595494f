import "server-only";

// Every lifecycle event type the portal publishes: read by the payload schemas beside it, the API's OpenAPI
// document (its `webhooks` section) and the console. The subscription's words are its vocabulary's (a leaf).
import { SUBSCRIPTION_EVENT_TYPES } from "@/lib/subscriptions/vocabulary";

export const LIFECYCLE_EVENT_TYPES = [
  "connection.ready",
  "connection.broken",
  "connection.recovered",
  "consent.removed",
  "tenant.disconnected",
  ...SUBSCRIPTION_EVENT_TYPES,
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

// The marketplace subscription's vocabulary: its statuses and what customers, staff and the API call them, how
// Microsoft's words map onto them, what the webhook did with each operation, and the lifecycle events. The one
// owner of these words: pages, the console, the API, the data layer and the tests import them from here.
//
// No `server-only` and no imports: a leaf, so the data layer and client components may read it too.

export const SUBSCRIPTION_STATUSES = ["PENDING", "SUBSCRIBED", "SUSPENDED", "UNSUBSCRIBED"] as const;
export type SubscriptionStatusWord = (typeof SUBSCRIPTION_STATUSES)[number];

/** Microsoft's saasSubscriptionStatus (docs/protocol/marketplace.md M-17) in the portal's words. */
export function fromMicrosoftStatus(status: string): SubscriptionStatusWord {
  switch (status) {
    case "Subscribed":
      return "SUBSCRIBED";
    case "Suspended":
      return "SUSPENDED";
    case "Unsubscribed":
      return "UNSUBSCRIBED";
    default:
      // NotStarted (only in the OpenAPI file) and PendingFulfillmentStart: bought, not activated.
      return "PENDING";
  }
}

/** What staff read (console, CSV). */
export const SUBSCRIPTION_STATUS_LABELS: Record<SubscriptionStatusWord, string> = {
  PENDING: "Not activated yet",
  SUBSCRIBED: "Active",
  SUSPENDED: "Suspended",
  UNSUBSCRIBED: "Cancelled",
};

/** The API's and the lifecycle events' words (lower case, as the API's other states). */
export const API_SUBSCRIPTION_STATUSES = ["pending", "subscribed", "suspended", "unsubscribed"] as const;
export type ApiSubscriptionStatus = (typeof API_SUBSCRIPTION_STATUSES)[number];
export const API_SUBSCRIPTION_STATUS: Record<SubscriptionStatusWord, ApiSubscriptionStatus> = {
  PENDING: "pending",
  SUBSCRIBED: "subscribed",
  SUSPENDED: "suspended",
  UNSUBSCRIBED: "unsubscribed",
};

/** A tenant may hold several subscriptions (bought twice, an old one cancelled): the one that counts comes first. */
const CURRENT_ORDER: Record<SubscriptionStatusWord, number> = {
  SUBSCRIBED: 0,
  SUSPENDED: 1,
  PENDING: 2,
  UNSUBSCRIBED: 3,
};

export function currentSubscriptionOf<T extends { status: SubscriptionStatusWord; resolvedAt: Date }>(
  subscriptions: readonly T[],
): T | null {
  return (
    [...subscriptions].sort(
      (a, b) => CURRENT_ORDER[a.status] - CURRENT_ORDER[b.status] || b.resolvedAt.getTime() - a.resolvedAt.getTime(),
    )[0] ?? null
  );
}

/** A purchase resolved but not activated for longer than the configured hours (MARKETPLACE_ACTIVATION_HOURS). */
export function activationOverdue(
  subscription: { status: SubscriptionStatusWord; resolvedAt: Date },
  hours: number,
  now = new Date(),
): boolean {
  return subscription.status === "PENDING" && now.getTime() - subscription.resolvedAt.getTime() > hours * 3_600_000;
}

/** "professional, 12 seats" — plan ids are shown as Microsoft gives them (never re-cased: M-83). */
export function planWords(planId: string, quantity: number | null): string {
  return quantity === null ? planId : `${planId}, ${quantity} ${quantity === 1 ? "seat" : "seats"}`;
}

/** What the webhook did with an operation Microsoft notified (MarketplaceOperation.outcome). */
export const OPERATION_OUTCOMES = {
  applied: "Applied",
  accepted: "Accepted",
  rejected: "Rejected by the rule",
  "ignored-stale": "Ignored: older than a change already applied",
  "ignored-state": "Ignored: not possible in the subscription's status",
  "ignored-final": "Ignored: the subscription is cancelled",
  "ignored-failed": "Ignored: Microsoft reports it did not succeed",
  "unknown-action": "Recorded: an action the portal does not act on",
} as const;
export type OperationOutcome = keyof typeof OPERATION_OUTCOMES;

/** The lifecycle events of a subscription (lib/events publishes them, nothing else). */
export const SUBSCRIPTION_EVENT_TYPES = [
  "subscription.activated",
  "subscription.suspended",
  "subscription.reinstated",
  "subscription.unsubscribed",
  "subscription.plan_changed",
] as const;
export type SubscriptionEventType = (typeof SUBSCRIPTION_EVENT_TYPES)[number];

// The marketplace subscription's life rules (docs/protocol/marketplace.md M-45..M-66), as pure functions: what an
// operation Microsoft confirmed does to the subscription the portal holds, whether the publisher accepts a change
// (the configurable rule), and which lifecycle event it makes. Never backwards: a cancelled subscription stays
// cancelled (M-62), and an operation older than the last one applied changes nothing (deliveries may come out of
// order and twice: M-56). No I/O here; lib/subscriptions/webhook.ts carries the decision out.
import type { OperationOutcome, SubscriptionEventType, SubscriptionStatusWord } from "@/lib/subscriptions/vocabulary";

export const KNOWN_ACTIONS = ["ChangePlan", "ChangeQuantity", "Suspend", "Reinstate", "Renew", "Unsubscribe"] as const;
export type KnownAction = (typeof KNOWN_ACTIONS)[number];
/** Only these need the publisher's PATCH; the others inform (M-45). */
const ACK_ACTIONS: ReadonlySet<string> = new Set(["ChangePlan", "ChangeQuantity", "Reinstate"]);

export type ChangeRule = { acceptedPlans: readonly string[] | null; maxQuantity: number | null };

/** The ISV's rule for Microsoft's ChangePlan / ChangeQuantity requests (MARKETPLACE_ACCEPTED_PLANS / _MAX_QUANTITY). */
export function decideChange(
  rule: ChangeRule,
  request: { planId: string } | { quantity: number },
): { accept: true } | { accept: false; reason: string } {
  if ("planId" in request) {
    if (rule.acceptedPlans && !rule.acceptedPlans.includes(request.planId))
      return {
        accept: false,
        reason: `the plan '${request.planId}' is not one of the accepted plans (${rule.acceptedPlans.join(", ")})`,
      };
    return { accept: true };
  }
  if (rule.maxQuantity !== null && request.quantity > rule.maxQuantity)
    return { accept: false, reason: `${request.quantity} seats is more than the ${rule.maxQuantity} accepted` };
  return { accept: true };
}

export type HeldSubscription = {
  status: SubscriptionStatusWord;
  planId: string;
  quantity: number | null;
  lastOperationAt: Date | null;
};

/** An operation as Get Operation described it (the webhook's body is only a hint: M-55). */
export type ConfirmedOperation = {
  action: string;
  planId: string | null;
  quantity: number | null;
  status: "NotStarted" | "InProgress" | "Succeeded" | "Failed" | "Conflict";
  timeStamp: Date | null;
};

export type SubscriptionChange = {
  status?: SubscriptionStatusWord;
  planId?: string;
  quantity?: number | null;
  suspended?: boolean;
  unsubscribed?: boolean;
};

export type Decision = {
  /** What the portal records for the operation. */
  outcome: OperationOutcome;
  /** The PATCH operation to send, when Microsoft waits for one. */
  answer: "Success" | "Failure" | null;
  /** What changes on the subscription (empty: nothing). */
  change: SubscriptionChange;
  event: SubscriptionEventType | null;
  /** The audit action of the operation. */
  audit: string;
  reason: string;
};

export function isKnownAction(action: string): action is KnownAction {
  return (KNOWN_ACTIONS as readonly string[]).includes(action);
}

export function decideOperation(held: HeldSubscription, op: ConfirmedOperation, rule: ChangeRule): Decision {
  const waiting = ACK_ACTIONS.has(op.action) && (op.status === "InProgress" || op.status === "NotStarted");
  const refuse = waiting ? ("Failure" as const) : null;
  const ignore = (outcome: OperationOutcome, reason: string, answer: "Failure" | null = refuse): Decision => ({
    outcome,
    answer,
    change: {},
    event: null,
    audit: "subscription.operation_ignored",
    reason,
  });

  if (!isKnownAction(op.action))
    return ignore(
      "unknown-action",
      `Microsoft's action '${op.action}' is recorded; the portal does not act on it`,
      null,
    );
  if (op.status === "Failed" || op.status === "Conflict")
    return ignore("ignored-failed", `Microsoft reports the operation ${op.status}`, null);
  if (held.status === "UNSUBSCRIBED")
    return ignore("ignored-final", "the subscription is cancelled; it cannot change any more");
  if (op.timeStamp && held.lastOperationAt && op.timeStamp.getTime() < held.lastOperationAt.getTime()) {
    return ignore(
      "ignored-stale",
      `the operation (${op.timeStamp.toISOString()}) is older than one already applied (${held.lastOperationAt.toISOString()})`,
    );
  }
  const accept = waiting ? ("Success" as const) : null;

  switch (op.action) {
    case "ChangePlan": {
      if (held.status !== "SUBSCRIBED")
        return ignore("ignored-state", `a plan changes only while the subscription is active (it is ${held.status})`);
      if (!op.planId) return ignore("ignored-state", "the operation names no plan");
      if (op.planId === held.planId)
        return {
          outcome: "accepted",
          answer: accept,
          change: {},
          event: null,
          audit: "subscription.plan_changed",
          reason: "already on this plan",
        };
      const verdict = decideChange(rule, { planId: op.planId });
      // Already Succeeded (accepted after Microsoft's 10 s, M-46): the change happened; the rule is too late for it.
      if (!verdict.accept && waiting)
        return { ...ignore("rejected", verdict.reason), audit: "subscription.change_rejected" };
      return {
        outcome: "accepted",
        answer: accept,
        change: { planId: op.planId },
        event: "subscription.plan_changed",
        audit: "subscription.plan_changed",
        reason: `plan ${held.planId} → ${op.planId}`,
      };
    }
    case "ChangeQuantity": {
      if (held.status !== "SUBSCRIBED")
        return ignore("ignored-state", `seats change only while the subscription is active (it is ${held.status})`);
      if (op.quantity === null) return ignore("ignored-state", "the operation names no quantity");
      if (op.quantity === held.quantity)
        return {
          outcome: "accepted",
          answer: accept,
          change: {},
          event: null,
          audit: "subscription.plan_changed",
          reason: "already this many seats",
        };
      const verdict = decideChange(rule, { quantity: op.quantity });
      if (!verdict.accept && waiting)
        return { ...ignore("rejected", verdict.reason), audit: "subscription.change_rejected" };
      return {
        outcome: "accepted",
        answer: accept,
        change: { quantity: op.quantity },
        event: "subscription.plan_changed",
        audit: "subscription.plan_changed",
        reason: `seats ${held.quantity ?? "none"} → ${op.quantity}`,
      };
    }
    case "Suspend":
      if (held.status === "SUSPENDED")
        return {
          outcome: "applied",
          answer: null,
          change: {},
          event: null,
          audit: "subscription.suspended",
          reason: "already suspended",
        };
      return {
        outcome: "applied",
        answer: null,
        change: { status: "SUSPENDED", suspended: true },
        event: "subscription.suspended",
        audit: "subscription.suspended",
        reason: "Microsoft suspended the subscription (payment)",
      };
    case "Reinstate":
      if (held.status === "SUBSCRIBED")
        return {
          outcome: "accepted",
          answer: accept,
          change: {},
          event: null,
          audit: "subscription.reinstated",
          reason: "already active",
        };
      if (held.status !== "SUSPENDED")
        return ignore("ignored-state", `only a suspended subscription is reinstated (it is ${held.status})`);
      return {
        outcome: "accepted",
        answer: accept,
        change: { status: "SUBSCRIBED", suspended: false },
        event: "subscription.reinstated",
        audit: "subscription.reinstated",
        reason: "Microsoft reinstated the subscription",
      };
    case "Renew":
      return {
        outcome: "applied",
        answer: null,
        change: {},
        event: null,
        audit: "subscription.renewed",
        reason: "the subscription renewed for another term",
      };
    case "Unsubscribe":
      return {
        outcome: "applied",
        answer: null,
        change: { status: "UNSUBSCRIBED", unsubscribed: true },
        event: "subscription.unsubscribed",
        audit: "subscription.unsubscribed",
        reason: "the subscription was cancelled",
      };
  }
}

/**
 * Where a status Microsoft reports may take the one the portal holds, outside the webhook (a resolve, a Get
 * subscription after activation): only forward — a pending purchase to whatever Microsoft says, anything to
 * cancelled — so a stale read never undoes what a newer webhook did.
 */
export function statusMovesForward(held: SubscriptionStatusWord, reported: SubscriptionStatusWord): boolean {
  if (held === reported) return false;
  if (held === "UNSUBSCRIBED") return false;
  return held === "PENDING" || reported === "UNSUBSCRIBED";
}

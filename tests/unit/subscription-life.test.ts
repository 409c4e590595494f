// The marketplace subscription's life rules (lib/subscriptions/life.ts): what each confirmed operation does, the
// ISV's accept/reject rule, never backwards; and the landing page's token and sealed purchase reference.
import { describe, expect, it } from "vitest";
import {
  decideChange,
  decideOperation,
  statusMovesForward,
  type ConfirmedOperation,
  type HeldSubscription,
} from "@/lib/subscriptions/life";
import { activationOverdue, currentSubscriptionOf, fromMicrosoftStatus } from "@/lib/subscriptions/vocabulary";
import { openPurchaseReference, sealPurchaseReference } from "@/lib/subscriptions/landing-reference";
import { normaliseLandingToken } from "@/lib/subscriptions/purchase";

const active: HeldSubscription = {
  status: "SUBSCRIBED",
  planId: "starter",
  quantity: null,
  lastOperationAt: new Date("2026-12-01T10:00:00Z"),
};
const anyRule = { acceptedPlans: null, maxQuantity: null };
const op = (fields: Partial<ConfirmedOperation>): ConfirmedOperation => ({
  action: "ChangePlan",
  planId: null,
  quantity: null,
  status: "InProgress",
  timeStamp: new Date("2026-12-01T11:00:00Z"),
  ...fields,
});

describe("decideChange (MARKETPLACE_ACCEPTED_PLANS, MARKETPLACE_MAX_QUANTITY)", () => {
  it("accepts everything by default and rejects what the rule leaves out, saying why", () => {
    expect(decideChange(anyRule, { planId: "enterprise" })).toEqual({ accept: true });
    expect(decideChange(anyRule, { quantity: 10_000 })).toEqual({ accept: true });
    expect(
      decideChange({ acceptedPlans: ["starter", "professional"], maxQuantity: 50 }, { planId: "enterprise" }),
    ).toMatchObject({ accept: false, reason: expect.stringContaining("enterprise") });
    expect(decideChange({ acceptedPlans: null, maxQuantity: 50 }, { quantity: 51 })).toMatchObject({
      accept: false,
      reason: expect.stringContaining("51"),
    });
    expect(decideChange({ acceptedPlans: null, maxQuantity: 50 }, { quantity: 50 })).toEqual({ accept: true });
  });
});

describe("decideOperation", () => {
  it("accepts a ChangePlan the rule allows with PATCH Success, and rejects another with PATCH Failure", () => {
    expect(decideOperation(active, op({ planId: "professional" }), anyRule)).toMatchObject({
      outcome: "accepted",
      answer: "Success",
      change: { planId: "professional" },
      event: "subscription.plan_changed",
    });
    expect(
      decideOperation(active, op({ planId: "enterprise" }), { acceptedPlans: ["professional"], maxQuantity: null }),
    ).toMatchObject({
      outcome: "rejected",
      answer: "Failure",
      change: {},
      event: null,
      audit: "subscription.change_rejected",
    });
  });

  it("applies a change Microsoft already accepted (its 10 s passed) even when the rule would refuse: no PATCH then", () => {
    expect(
      decideOperation(active, op({ planId: "enterprise", status: "Succeeded" }), {
        acceptedPlans: ["professional"],
        maxQuantity: null,
      }),
    ).toMatchObject({ outcome: "accepted", answer: null, change: { planId: "enterprise" } });
  });

  it("changes seats only while active, by the rule", () => {
    const seats: HeldSubscription = { ...active, planId: "professional", quantity: 10 };
    expect(
      decideOperation(seats, op({ action: "ChangeQuantity", quantity: 20 }), { acceptedPlans: null, maxQuantity: 50 }),
    ).toMatchObject({ outcome: "accepted", answer: "Success", change: { quantity: 20 } });
    expect(
      decideOperation(seats, op({ action: "ChangeQuantity", quantity: 60 }), { acceptedPlans: null, maxQuantity: 50 }),
    ).toMatchObject({ outcome: "rejected", answer: "Failure" });
    expect(
      decideOperation({ ...seats, status: "SUSPENDED" }, op({ action: "ChangeQuantity", quantity: 20 }), anyRule),
    ).toMatchObject({ outcome: "ignored-state", answer: "Failure", change: {} });
  });

  it("suspends (notify only: no answer), reinstates with PATCH Success, renews without a change", () => {
    expect(decideOperation(active, op({ action: "Suspend", status: "Succeeded" }), anyRule)).toMatchObject({
      outcome: "applied",
      answer: null,
      change: { status: "SUSPENDED", suspended: true },
      event: "subscription.suspended",
    });
    const suspended: HeldSubscription = { ...active, status: "SUSPENDED" };
    expect(decideOperation(suspended, op({ action: "Reinstate" }), anyRule)).toMatchObject({
      outcome: "accepted",
      answer: "Success",
      change: { status: "SUBSCRIBED", suspended: false },
      event: "subscription.reinstated",
    });
    expect(decideOperation(active, op({ action: "Renew", status: "Succeeded" }), anyRule)).toMatchObject({
      outcome: "applied",
      answer: null,
      change: {},
      event: null,
      audit: "subscription.renewed",
    });
  });

  it("never moves backwards: nothing after a cancellation, nothing older than the last operation applied", () => {
    const cancelled: HeldSubscription = { ...active, status: "UNSUBSCRIBED" };
    expect(decideOperation(cancelled, op({ action: "Reinstate" }), anyRule)).toMatchObject({
      outcome: "ignored-final",
      answer: "Failure",
      change: {},
    });
    expect(decideOperation(cancelled, op({ action: "Suspend", status: "Succeeded" }), anyRule)).toMatchObject({
      outcome: "ignored-final",
      answer: null,
      change: {},
    });
    const older = op({ action: "Suspend", status: "Succeeded", timeStamp: new Date("2026-12-01T09:00:00Z") });
    expect(decideOperation(active, older, anyRule)).toMatchObject({
      outcome: "ignored-stale",
      change: {},
      event: null,
    });
    expect(decideOperation(active, op({ action: "Unsubscribe", status: "Succeeded" }), anyRule)).toMatchObject({
      outcome: "applied",
      change: { status: "UNSUBSCRIBED" },
      event: "subscription.unsubscribed",
    });
  });

  it("records an action it does not know (Microsoft adds some: Subscribe, Transfer) without acting or answering", () => {
    expect(decideOperation(active, op({ action: "Transfer", status: "InProgress" }), anyRule)).toMatchObject({
      outcome: "unknown-action",
      answer: null,
      change: {},
    });
    expect(
      decideOperation(active, op({ action: "ChangePlan", planId: "professional", status: "Failed" }), anyRule),
    ).toMatchObject({ outcome: "ignored-failed", answer: null, change: {} });
  });

  it("statusMovesForward: a read moves a pending purchase on, cancels anything, and never undoes a webhook", () => {
    expect(statusMovesForward("PENDING", "SUBSCRIBED")).toBe(true);
    expect(statusMovesForward("SUBSCRIBED", "UNSUBSCRIBED")).toBe(true);
    expect(statusMovesForward("SUSPENDED", "SUBSCRIBED")).toBe(false);
    expect(statusMovesForward("SUBSCRIBED", "PENDING")).toBe(false);
    expect(statusMovesForward("UNSUBSCRIBED", "SUBSCRIBED")).toBe(false);
  });
});

describe("vocabulary", () => {
  it("maps Microsoft's statuses, picks the subscription that counts, and flags a purchase left unactivated", () => {
    expect(
      ["NotStarted", "PendingFulfillmentStart", "Subscribed", "Suspended", "Unsubscribed"].map(fromMicrosoftStatus),
    ).toEqual(["PENDING", "PENDING", "SUBSCRIBED", "SUSPENDED", "UNSUBSCRIBED"]);
    const old = { status: "UNSUBSCRIBED" as const, resolvedAt: new Date("2026-01-01") };
    const pending = { status: "PENDING" as const, resolvedAt: new Date("2026-12-01") };
    const live = { status: "SUBSCRIBED" as const, resolvedAt: new Date("2026-06-01") };
    expect(currentSubscriptionOf([old, pending, live])).toBe(live);
    expect(currentSubscriptionOf([old])).toBe(old);
    expect(currentSubscriptionOf([])).toBeNull();
    const now = new Date("2026-12-03T00:00:00Z");
    expect(activationOverdue({ status: "PENDING", resolvedAt: new Date("2026-12-01T00:00:00Z") }, 24, now)).toBe(true);
    expect(activationOverdue({ status: "PENDING", resolvedAt: new Date("2026-12-02T12:00:00Z") }, 24, now)).toBe(false);
    expect(activationOverdue({ status: "SUBSCRIBED", resolvedAt: new Date("2026-01-01T00:00:00Z") }, 24, now)).toBe(
      false,
    );
  });
});

describe("the landing page's token and purchase reference", () => {
  it("takes a token decoded once, repairs a '+' a form decoder turned into a space, and refuses junk", () => {
    expect(normaliseLandingToken("ab+cd/ef==AAAAAAAAAAAA")).toBe("ab+cd/ef==AAAAAAAAAAAA");
    expect(normaliseLandingToken("ab cd/ef==AAAAAAAAAAAA")).toBe("ab+cd/ef==AAAAAAAAAAAA");
    // A `+` at either end, made a space by a form decoder, is kept (not trimmed away).
    expect(normaliseLandingToken(" abcd/efAAAAAAAAAAAA ")).toBe("+abcd/efAAAAAAAAAAAA+");
    expect(normaliseLandingToken("abcd/efAAAAAAAAAAAA+\n")).toBe("abcd/efAAAAAAAAAAAA+");
    expect(normaliseLandingToken("<script>alert(1)</script>")).toBeNull();
    expect(normaliseLandingToken("short")).toBeNull();
    expect(normaliseLandingToken("A".repeat(5000))).toBeNull();
  });

  it("seals a subscription id that cannot be edited, and expires after 24 hours", () => {
    const id = "4aea5574-281c-7b2f-de26-e0f8369bc2d2";
    const secret = "s".repeat(32);
    const now = Date.parse("2026-12-01T00:00:00Z");
    const sealed = sealPurchaseReference(id, now, secret);
    expect(openPurchaseReference(sealed, now + 1000, secret)).toBe(id);
    expect(openPurchaseReference(sealed.replace("4aea", "5aea"), now, secret)).toBeNull();
    expect(openPurchaseReference(sealed, now, "t".repeat(32))).toBeNull();
    expect(openPurchaseReference(sealed, now + 25 * 3_600_000, secret)).toBeNull();
    expect(openPurchaseReference("junk", now, secret)).toBeNull();
  });
});

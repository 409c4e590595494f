import "server-only";

// From an AppSource purchase to an active subscription (docs/protocol/marketplace.md M-12..M-28, M-63, M-69..M-73):
// the landing page resolves the purchase token (one Fulfillment API round trip) and shows the purchase; after the
// buyer signs in, the subscription is activated with its plan (the second and last round trip) — only for someone
// of the beneficiary's organisation. Refresh- and back-button-safe: a purchase is recorded once, a second resolve
// changes nothing, and an active subscription is never activated again.
import type { Actor } from "@/lib/audit";
import type { PortalSessionView } from "@/lib/data/sessions";
import {
  changeSubscription,
  linkSubscriptionToTenant,
  recordSubscription,
  subscriptionById,
  type SubscriptionInput,
  type SubscriptionRow,
} from "@/lib/data/subscriptions";
import {
  activateSubscription,
  FulfillmentError,
  getSubscription,
  resolveSubscription,
  type SubscriptionFacts,
} from "@/lib/marketplace/fulfillment";
import { logger } from "@/lib/log";
import { publishSubscriptionEvent } from "@/lib/events";
import { openPurchaseReference, sealPurchaseReference } from "@/lib/subscriptions/landing-reference";
import { statusMovesForward } from "@/lib/subscriptions/life";
import { fromMicrosoftStatus, type SubscriptionStatusWord } from "@/lib/subscriptions/vocabulary";

/** Who acts when Microsoft tells the portal something. */
export const MARKETPLACE_ACTOR: Actor = { kind: "SYSTEM", name: "Microsoft commercial marketplace" };

export type PurchaseView = {
  subscriptionId: string;
  name: string;
  offerId: string;
  planId: string;
  quantity: number | null;
  status: SubscriptionStatusWord;
  beneficiaryTenantId: string;
  beneficiaryEmail: string | null;
  purchaserEmail: string | null;
  isTest: boolean;
  isFreeTrial: boolean;
  /** The sealed reference the sign-in carries to the activation (lib/subscriptions/landing-reference.ts). */
  reference: string;
};

export type LandingOutcome =
  | { kind: "purchase"; purchase: PurchaseView }
  /** Missing, malformed, unknown or expired token: Microsoft's guidance applies (M-22). */
  | { kind: "unknown-token" }
  /** The marketplace could not be asked (down, or refusing the vendor's own credentials). */
  | { kind: "unavailable"; vendorFault: boolean };

/** Base64 characters (and base64url's), as real tokens are (M-13); bounded so junk never reaches Microsoft. */
const TOKEN_SHAPE = /^[A-Za-z0-9+/=_-]{16,4096}$/;

/**
 * The token as Microsoft sent it: the page's parameters are already decoded once (M-13); a `+` that a form decoder
 * turned into a space is put back, as Microsoft's own accelerator does (M-81). Null when it cannot be a token.
 */
export function normaliseLandingToken(raw: string): string | null {
  // Spaces become `+` before anything is trimmed: a token may start or end with `+`, which a decoder made a space
  // (trimmed first, such a token lost a character and was refused as unknown). Only line breaks and tabs are trimmed.
  const token = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "").replace(/ /g, "+");
  return TOKEN_SHAPE.test(token) ? token : null;
}

function inputOf(facts: SubscriptionFacts): SubscriptionInput {
  return {
    id: facts.id,
    name: facts.name.slice(0, 200),
    publisherId: facts.publisherId,
    offerId: facts.offerId,
    planId: facts.planId,
    quantity: facts.quantity,
    status: fromMicrosoftStatus(facts.status),
    beneficiaryTenantId: facts.beneficiary.tenantId,
    beneficiaryEmail: facts.beneficiary.emailId,
    beneficiaryObjectId: facts.beneficiary.objectId,
    purchaserTenantId: facts.purchaser.tenantId,
    purchaserEmail: facts.purchaser.emailId,
    purchaserObjectId: facts.purchaser.objectId,
    isTest: facts.isTest,
    isFreeTrial: facts.isFreeTrial,
    termUnit: facts.term.unit,
    termStartDate: facts.term.startDate,
    termEndDate: facts.term.endDate,
  };
}

function viewOf(row: SubscriptionRow): PurchaseView {
  return {
    subscriptionId: row.id,
    name: row.name,
    offerId: row.offerId,
    planId: row.planId,
    quantity: row.quantity,
    status: row.status,
    beneficiaryTenantId: row.beneficiaryTenantId,
    beneficiaryEmail: row.beneficiaryEmail,
    purchaserEmail: row.purchaserEmail,
    isTest: row.isTest,
    isFreeTrial: row.isFreeTrial,
    reference: sealPurchaseReference(row.id),
  };
}

/**
 * A status Microsoft reported outside the webhook (resolve, Get subscription), taken only when it moves the held one
 * forward (lib/subscriptions/life.ts statusMovesForward): a purchase found active or cancelled elsewhere.
 */
async function takeReportedStatus(
  row: SubscriptionRow,
  reported: SubscriptionStatusWord,
  term: SubscriptionFacts["term"] | null,
  actor: Actor,
): Promise<SubscriptionRow> {
  if (!statusMovesForward(row.status, reported)) return row;
  const now = new Date();
  const result = await changeSubscription({
    subscriptionId: row.id,
    whenStatus: [row.status],
    set: {
      status: reported,
      ...(reported === "SUBSCRIBED" && !row.activatedAt
        ? { activatedAt: now, termStartDate: term?.startDate ?? null, termEndDate: term?.endDate ?? null }
        : {}),
      ...(reported === "SUSPENDED" ? { suspendedAt: now } : {}),
      ...(reported === "UNSUBSCRIBED" ? { unsubscribedAt: now } : {}),
    },
    audit: {
      actor,
      tenantId: row.beneficiaryTenantId,
      action: "subscription.status_synchronised",
      details: { from: row.status, to: reported },
    },
  });
  const updated = (await subscriptionById(row.id)) ?? row;
  if (result === "changed") {
    const type =
      reported === "UNSUBSCRIBED"
        ? "subscription.unsubscribed"
        : row.status === "PENDING" && reported === "SUBSCRIBED"
          ? "subscription.activated"
          : reported === "SUSPENDED"
            ? "subscription.suspended"
            : null;
    if (type)
      await publishSubscriptionEvent(type, { subscription: { ...updated, tenantId: updated.beneficiaryTenantId } });
  }
  return updated;
}

/** The landing page with `?token=`: resolve it, record the purchase once, and say what it is. */
export async function landFromMarketplace(rawToken: string): Promise<LandingOutcome> {
  const token = normaliseLandingToken(rawToken);
  if (!token) return { kind: "unknown-token" };
  let facts: SubscriptionFacts;
  try {
    facts = await resolveSubscription(token);
  } catch (error) {
    if (!(error instanceof FulfillmentError)) throw error;
    if (error.kind === "bad-request" || error.kind === "not-found") return { kind: "unknown-token" };
    logger().warn(
      { kind: error.kind, status: error.status, code: error.code, err: error.message },
      "marketplace: resolve failed",
    );
    return { kind: "unavailable", vendorFault: error.kind === "forbidden" || error.kind === "malformed" };
  }
  const { row, created } = await recordSubscription(inputOf(facts), MARKETPLACE_ACTOR);
  if (created) return { kind: "purchase", purchase: viewOf(row) };
  await linkSubscriptionToTenant(row.id);
  const current = await takeReportedStatus(row, fromMicrosoftStatus(facts.status), facts.term, MARKETPLACE_ACTOR);
  return { kind: "purchase", purchase: viewOf(current) };
}

/** The purchase a sealed reference names (the page after a refused activation), or null. */
export async function purchaseFromReference(reference: string): Promise<PurchaseView | null> {
  const id = openPurchaseReference(reference);
  const row = id ? await subscriptionById(id) : null;
  return row ? viewOf(row) : null;
}

export type ActivationOutcome =
  | { kind: "activated" | "already-active"; purchase: PurchaseView }
  /** Signed in with another organisation than the one the purchase is for: who must sign in. */
  | { kind: "other-organisation"; purchase: PurchaseView }
  | { kind: "cancelled"; purchase: PurchaseView }
  | { kind: "unknown" }
  | { kind: "failed"; purchase: PurchaseView };

/**
 * After sign-in: activate the purchase the reference names, for someone of the beneficiary's organisation only. The
 * subscription is activated at most once (a refresh or a second tab finds it active); when Microsoft refuses because
 * it is active or gone already, its own word is read and kept.
 */
export async function activateAfterSignIn(session: PortalSessionView, reference: string): Promise<ActivationOutcome> {
  const id = openPurchaseReference(reference);
  const row = id ? await subscriptionById(id) : null;
  if (!row) return { kind: "unknown" };
  if (session.kind !== "customer" || session.tenantId !== row.beneficiaryTenantId)
    return { kind: "other-organisation", purchase: viewOf(row) };
  if (row.status !== "PENDING") {
    // Bought before this organisation first signed in: now it has a tenant to belong to (activation sets it too).
    await linkSubscriptionToTenant(row.id);
    return row.status === "UNSUBSCRIBED"
      ? { kind: "cancelled", purchase: viewOf(row) }
      : { kind: "already-active", purchase: viewOf(row) };
  }

  const actor: Actor = {
    kind: "CUSTOMER",
    tenantId: session.entraTenantId,
    objectId: session.userObjectId,
    name: session.userName,
  };
  try {
    await activateSubscription(row.id, { planId: row.planId, quantity: row.quantity });
  } catch (error) {
    if (!(error instanceof FulfillmentError)) throw error;
    logger().warn(
      { subscriptionId: row.id, kind: error.kind, status: error.status, code: error.code, err: error.message },
      "marketplace: activate refused",
    );
    if (error.kind !== "bad-request" && error.kind !== "not-found") return { kind: "failed", purchase: viewOf(row) };
    // Refused: already active (activated before, in another tab) or cancelled meanwhile — Microsoft's word decides.
    try {
      const facts = await getSubscription(row.id);
      const current = await takeReportedStatus(row, fromMicrosoftStatus(facts.status), facts.term, actor);
      if (current.status === "UNSUBSCRIBED") return { kind: "cancelled", purchase: viewOf(current) };
      return current.status === "PENDING"
        ? { kind: "failed", purchase: viewOf(current) }
        : { kind: "already-active", purchase: viewOf(current) };
    } catch (readError) {
      if (readError instanceof FulfillmentError && readError.kind === "not-found") {
        const gone = await takeReportedStatus(row, "UNSUBSCRIBED", null, actor);
        return { kind: "cancelled", purchase: viewOf(gone) };
      }
      if (readError instanceof FulfillmentError) return { kind: "failed", purchase: viewOf(row) };
      throw readError;
    }
  }
  const now = new Date();
  const result = await changeSubscription({
    subscriptionId: row.id,
    whenStatus: ["PENDING"],
    set: {
      status: "SUBSCRIBED",
      activatedAt: now,
      activatedByName: session.userName,
      activatedByObjectId: session.userObjectId,
      tenantId: session.tenantId,
    },
    audit: {
      actor,
      tenantId: row.beneficiaryTenantId,
      action: "subscription.activated",
      details: { offerId: row.offerId, planId: row.planId, quantity: row.quantity },
    },
  });
  const current = (await subscriptionById(row.id)) ?? row;
  if (result !== "changed") return { kind: "already-active", purchase: viewOf(current) };
  // "Request … received … Failure to subscribe automatically sends an Unsubscribe webhook" (M-25): the webhook corrects it.
  await publishSubscriptionEvent("subscription.activated", {
    subscription: { ...current, tenantId: current.beneficiaryTenantId },
  });
  return { kind: "activated", purchase: viewOf(current) };
}

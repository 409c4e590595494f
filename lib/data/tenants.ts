import "server-only";

// The signed-in customer's own tenant: its status, its admin-consent state, disconnecting it.
import { audit } from "@/lib/audit";
import { environmentSelect } from "@/lib/data/environments";
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";
import { subscriptionSelect } from "@/lib/data/subscriptions";
import type { Prisma } from "@/lib/generated/prisma/client";
import { currentSubscriptionOf } from "@/lib/subscriptions/vocabulary";
import { hashToken, newOpaqueToken } from "@/lib/tokens";

/** What a customer's pages show of their tenant: its consent, its summary and its environments. */
const tenantOverviewSelect = {
  id: true,
  displayName: true,
  primaryDomain: true,
  consentState: true,
  consentGrantedAt: true,
  consentGrantedByName: true,
  consentVerifiedAt: true,
  consentFailure: true,
  latestCheckOutcome: true,
  latestCheckAt: true,
  emailAlertsOff: true,
  disconnectedAt: true,
  disconnectedByName: true,
  environments: {
    orderBy: { createdAt: "asc" },
    select: environmentSelect,
  },
} satisfies Prisma.TenantSelect;

export async function getTenant(scope: TenantScope) {
  return db().tenant.findUnique({ where: { id: scope.tenantId }, select: tenantOverviewSelect });
}

/**
 * The tenant (getTenant) and its marketplace subscription that counts (lib/data/subscriptions.ts
 * currentSubscription), in one statement: the connection's status page shows both, and is bound by its statements.
 */
export async function getTenantWithSubscription(scope: TenantScope) {
  const row = await db().tenant.findUnique({
    where: { id: scope.tenantId },
    select: { ...tenantOverviewSelect, subscriptions: { select: subscriptionSelect } },
  });
  if (!row) return null;
  const { subscriptions, ...tenant } = row;
  return { tenant, subscription: currentSubscriptionOf(subscriptions) };
}

export type TenantOverview = NonNullable<Awaited<ReturnType<typeof getTenant>>>;

/** How long an admin-consent `state` stays usable: the round trip through Microsoft's consent screen. */
const CONSENT_STATE_TTL_MS = 15 * 60 * 1000;

/** Starts an admin-consent round trip: returns the `state` to send, bound to this session, single use. */
export async function startConsentRequest(scope: TenantScope, sessionId: string): Promise<string> {
  const state = newOpaqueToken();
  await db().$transaction(async (tx) => {
    const request = await tx.consentRequest.create({
      data: {
        tenantId: scope.tenantId,
        stateHash: hashToken(state),
        sessionId,
        userObjectId: scope.actor.kind === "SYSTEM" ? "00000000-0000-0000-0000-000000000000" : scope.actor.objectId,
        expiresAt: new Date(Date.now() + CONSENT_STATE_TTL_MS),
      },
      select: { id: true },
    });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "consent.requested",
        target: { type: "consent-request", id: request.id },
      },
      tx,
    );
  });
  return state;
}

export type RedeemedConsent = { requestId: string; redeemedAt: Date };

/**
 * Redeems the `state` that came back from Microsoft. Valid only for the session that started it, once, and
 * before it expires; otherwise null and nothing is recorded (a forged or replayed callback changes nothing).
 */
export async function redeemConsentState(
  scope: TenantScope,
  sessionId: string,
  state: string,
): Promise<RedeemedConsent | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(state)) return null;
  const now = new Date();
  const request = await db().consentRequest.findFirst({
    where: { stateHash: hashToken(state), tenantId: scope.tenantId, sessionId, usedAt: null, expiresAt: { gt: now } },
    select: { id: true },
  });
  if (!request) return null;
  // Conditional update: of two concurrent callbacks with the same state, only one wins.
  const won = await db().consentRequest.updateMany({ where: { id: request.id, usedAt: null }, data: { usedAt: now } });
  return won.count === 1 ? { requestId: request.id, redeemedAt: now } : null;
}

/** The latest redeemed consent request of this session, for the verification page. */
export async function latestRedeemedConsent(scope: TenantScope, sessionId: string) {
  return db().consentRequest.findFirst({
    where: { tenantId: scope.tenantId, sessionId, usedAt: { not: null } },
    orderBy: { usedAt: "desc" },
    select: { id: true, usedAt: true },
  });
}

export async function markConsentPending(scope: TenantScope, requestId: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: scope.tenantId }, select: { consentState: true } });
    if (tenant.consentState !== "GRANTED") {
      await tx.tenant.update({
        where: { id: scope.tenantId },
        data: { consentState: "PENDING_VERIFICATION", consentPendingSince: new Date(), consentFailure: null },
      });
    }
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "consent.returned",
        target: { type: "consent-request", id: requestId },
      },
      tx,
    );
  });
}

/** A verification attempt failed while the tenant waits for proof: its cause is kept, for the timeout's reason. */
export async function noteConsentNotProven(scope: TenantScope, cause: string): Promise<void> {
  await db().tenant.updateMany({
    where: { id: scope.tenantId, consentState: "PENDING_VERIFICATION" },
    data: { consentFailure: cause.slice(0, 1000) },
  });
}

/**
 * The portal's own sweep (no request behind it, hence no scope): tenants whose consent has waited for proof since
 * before `cutoff` fall back to NOT_GRANTED, with the reason `reasonFor` gives from the last failed verification,
 * each audited (`consent.verification_timed_out`) in the same transaction. Limited to one tenant when `tenantId` is
 * given (a customer opening their pages). A tenant that was proven meanwhile, or came back again, is left alone.
 */
export async function expirePendingConsents(
  cutoff: Date,
  reasonFor: (lastFailure: string | null) => string,
  details: Record<string, number>,
  tenantId?: string,
): Promise<string[]> {
  const stale = await db().tenant.findMany({
    where: {
      ...(tenantId ? { id: tenantId } : {}),
      consentState: "PENDING_VERIFICATION",
      // Rows pending from before the column existed count from their last change.
      OR: [{ consentPendingSince: { lt: cutoff } }, { consentPendingSince: null, updatedAt: { lt: cutoff } }],
    },
    select: { id: true, consentPendingSince: true, consentFailure: true, updatedAt: true },
    take: 500,
  });
  const expired: string[] = [];
  for (const tenant of stale) {
    const reason = reasonFor(tenant.consentFailure);
    await db().$transaction(async (tx) => {
      const changed = await tx.tenant.updateMany({
        where: { id: tenant.id, consentState: "PENDING_VERIFICATION", consentPendingSince: tenant.consentPendingSince },
        data: { consentState: "NOT_GRANTED", consentPendingSince: null, consentFailure: reason },
      });
      if (changed.count === 0) return;
      await audit(
        {
          actor: { kind: "SYSTEM", name: "consent verification timeout" },
          tenantId: tenant.id,
          action: "consent.verification_timed_out",
          target: { type: "tenant", id: tenant.id },
          details: { pendingSince: (tenant.consentPendingSince ?? tenant.updatedAt).toISOString(), reason, ...details },
        },
        tx,
      );
      expired.push(tenant.id);
    });
  }
  return expired;
}

export async function recordConsentFailure(
  scope: TenantScope,
  requestId: string,
  reason: string,
  detail: Record<string, string | null>,
): Promise<void> {
  await audit({
    actor: scope.actor,
    tenantId: scope.tenantId,
    action: "consent.failed",
    target: { type: "consent-request", id: requestId },
    details: { reason, ...detail },
  });
}

/**
 * Recorded only after a fresh token of the app for the tenant carried the application permission that only an
 * administrator's consent grants. `grantedBy` is the administrator whose consent round trip this session
 * redeemed; null when consent was given outside the portal (e.g. the direct link), which the page says.
 */
export async function markConsentVerified(
  scope: TenantScope,
  attempts: number,
  grantedBy: { objectId: string; name: string | null } | null,
): Promise<void> {
  const now = new Date();
  await db().$transaction(async (tx) => {
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: scope.tenantId }, select: { consentState: true } });
    await tx.tenant.update({
      where: { id: scope.tenantId },
      data: {
        consentState: "GRANTED",
        consentVerifiedAt: now,
        consentPendingSince: null,
        consentFailure: null,
        ...(tenant.consentState !== "GRANTED"
          ? {
              consentGrantedAt: now,
              consentGrantedByObjectId: grantedBy?.objectId ?? null,
              consentGrantedByName: grantedBy?.name ?? null,
            }
          : {}),
      },
    });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "consent.verified",
        target: { type: "tenant", id: scope.tenantId },
        details: { attempts, grantedBy: grantedBy?.name ?? null },
      },
      tx,
    );
  });
}

/**
 * A re-verification found the consent gone (the enterprise application deleted, the permission removed): a
 * granted consent becomes revoked, audited. Returns whether it changed (false: it was not granted).
 */
export async function recordConsentRevoked(scope: TenantScope, because: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const updated = await tx.tenant.updateMany({
      where: { id: scope.tenantId, consentState: "GRANTED" },
      data: { consentState: "REVOKED" },
    });
    if (updated.count)
      await audit(
        {
          actor: scope.actor,
          tenantId: scope.tenantId,
          action: "consent.revoked",
          target: { type: "tenant", id: scope.tenantId },
          details: { because },
        },
        tx,
      );
    return updated.count > 0;
  });
}

/**
 * Removes everything that belongs to the tenant — environments (and so their checks and setup runs), consent
 * requests, sessions (every user of the tenant is signed out), delegated authorizations — and resets its state,
 * but keeps the tenant row marked disconnected with who and when: staff still find it in the console beside its
 * audit trail, and its customer reference stays with it. Signing in again starts from nothing
 * (startSession clears the mark). Returns the customer reference the tenant had (lib/onboarding/tenant-life.ts
 * tells the ISV's back end).
 */
export async function recordDisconnect(scope: TenantScope): Promise<{ customerReference: string | null }> {
  const now = new Date();
  const customerReference = await db().$transaction(async (tx) => {
    const where = { tenantId: scope.tenantId };
    const environments = await tx.environment.count({ where });
    await tx.environmentSetup.deleteMany({ where });
    await tx.connectionCheck.deleteMany({ where });
    await tx.environment.deleteMany({ where });
    await tx.consentRequest.deleteMany({ where });
    await tx.delegatedAuthorization.deleteMany({ where });
    await tx.environmentDiscovery.deleteMany({ where });
    await tx.portalSession.deleteMany({ where });
    await tx.alertRecipient.deleteMany({ where });
    const updated = await tx.tenant.update({
      where: { id: scope.tenantId },
      data: {
        ...DISCONNECTED_STATE,
        disconnectedAt: now,
        disconnectedByName: scope.actor.name ?? null,
        disconnectedByObjectId: "objectId" in scope.actor ? (scope.actor.objectId ?? null) : null,
      },
      select: { customerReference: true },
    });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "tenant.disconnected",
        target: { type: "tenant", id: scope.tenantId },
        details: { environments },
      },
      tx,
    );
    return updated.customerReference;
  });
  return { customerReference };
}

/** A disconnected tenant's state: as if it had only just signed in (consent, checks and health forgotten). */
const DISCONNECTED_STATE = {
  consentState: "NOT_GRANTED",
  consentGrantedAt: null,
  consentGrantedByObjectId: null,
  consentGrantedByName: null,
  consentVerifiedAt: null,
  consentPendingSince: null,
  consentFailure: null,
  latestCheckOutcome: null,
  latestCheckAt: null,
  latestFailingStep: null,
  health: null,
  brokenSince: null,
} as const;

/** The customer's choice about e-mail alerts (the vendor's support address is told either way). */
export async function setEmailAlerts(scope: TenantScope, on: boolean): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.tenant.update({ where: { id: scope.tenantId }, data: { emailAlertsOff: !on }, select: { id: true } });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: on ? "alerts.email-on" : "alerts.email-off",
        target: { type: "tenant", id: scope.tenantId },
      },
      tx,
    );
  });
}

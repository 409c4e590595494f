import "server-only";

// The one place the API's `state` is derived: the tenant's consent, and each environment's health as the
// monitoring state machine keeps it (lib/checks/health.ts: a transient fault is degraded, not broken).
// Rows without a health yet (written before it existed) fall back to their latest check's outcome.
import type { CheckOutcome, ConsentState, HealthState, Prisma } from "@/lib/generated/prisma/client";

export const CONNECTION_STATES = ["healthy", "degraded", "broken", "consent_removed", "pending"] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const CONNECTION_STATE_DESCRIPTIONS: Record<ConnectionState, string> = {
  healthy: "the latest check passed (or passed again after a failure)",
  degraded: "the latest check passed with warnings, or Microsoft was briefly unreachable or throttling",
  broken: "checks fail: the connection does not work (the cause is on the customer's and the support pages)",
  consent_removed:
    "the customer's administrator removed the app's consent; nothing can be called until it is granted again",
  pending:
    "not verified yet (no check has finished, or consent is not granted yet: a marketplace purchase ahead of its setup)",
};

const FROM_HEALTH: Record<HealthState, ConnectionState> = {
  HEALTHY: "healthy",
  RECOVERED: "healthy",
  DEGRADED: "degraded",
  BROKEN: "broken",
};
const FROM_OUTCOME: Partial<Record<CheckOutcome, ConnectionState>> = {
  PASSED: "healthy",
  WARNING: "degraded",
  FAILED: "broken",
};

type StateSource = { latestCheckOutcome: CheckOutcome | null; health?: HealthState | null };

/** An environment's state: consent removed overrides everything, else its health (or its latest check's outcome). */
export function environmentState(tenant: { consentState: ConsentState }, environment: StateSource): ConnectionState {
  if (tenant.consentState === "REVOKED") return "consent_removed";
  if (environment.health) return FROM_HEALTH[environment.health];
  return (environment.latestCheckOutcome && FROM_OUTCOME[environment.latestCheckOutcome]) || "pending";
}

/** A tenant's state: its worst environment's (the tenant row keeps the worst health and outcome, lib/data/checks.ts). */
export function tenantState(tenant: { consentState: ConsentState } & StateSource): ConnectionState {
  return environmentState(tenant, tenant);
}

/**
 * Tenants the API lists: consent proven, or proven and since removed (the back end must learn of it), and tenants
 * that bought the app in the marketplace (a paying customer the back end must know before its setup is done).
 */
export const CONNECTED_TENANTS: Prisma.TenantWhereInput = {
  OR: [{ consentState: { in: ["GRANTED", "REVOKED"] } }, { subscriptions: { some: {} } }],
};

/** The filter `?state=` as a query on the tenant row, consistent with tenantState(). */
export function tenantStateWhere(state: ConnectionState): Prisma.TenantWhereInput {
  const granted = { consentState: "GRANTED" as const };
  switch (state) {
    case "consent_removed":
      return { consentState: "REVOKED" };
    case "healthy":
      return {
        ...granted,
        OR: [{ health: { in: ["HEALTHY", "RECOVERED"] } }, { health: null, latestCheckOutcome: "PASSED" }],
      };
    case "degraded":
      return { ...granted, OR: [{ health: "DEGRADED" }, { health: null, latestCheckOutcome: "WARNING" }] };
    case "broken":
      return { ...granted, OR: [{ health: "BROKEN" }, { health: null, latestCheckOutcome: "FAILED" }] };
    case "pending":
      return {
        consentState: { not: "REVOKED" },
        health: null,
        OR: [{ latestCheckOutcome: null }, { latestCheckOutcome: "RUNNING" }],
      };
  }
}

import "server-only";

// The one place the API's `state` is derived (issue 14). Today it comes from what the schema records: the
// tenant's consent and each environment's latest check. When the per-environment health state machine
// (issue 11) lands, only this module changes: the API, its filter and its OpenAPI document read it from here.
import type { CheckOutcome, ConsentState, Prisma } from "@/lib/generated/prisma/client";

export const CONNECTION_STATES = ["healthy", "degraded", "broken", "consent_removed", "pending"] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const CONNECTION_STATE_DESCRIPTIONS: Record<ConnectionState, string> = {
  healthy: "the latest check passed",
  degraded: "the latest check passed with warnings",
  broken: "the latest check failed",
  consent_removed: "the customer's administrator removed the app's consent; nothing can be called until it is granted again",
  pending: "not verified yet (no check has finished)",
};

/** An environment's state: consent removed overrides everything, else its latest finished check. */
export function environmentState(tenant: { consentState: ConsentState }, environment: { latestCheckOutcome: CheckOutcome | null }): ConnectionState {
  if (tenant.consentState === "REVOKED") return "consent_removed";
  switch (environment.latestCheckOutcome) {
    case "PASSED":
      return "healthy";
    case "WARNING":
      return "degraded";
    case "FAILED":
      return "broken";
    default:
      return "pending";
  }
}

/** A tenant's state: its worst environment's (the tenant row keeps the worst latest outcome, lib/data/checks.ts). */
export function tenantState(tenant: { consentState: ConsentState; latestCheckOutcome: CheckOutcome | null }): ConnectionState {
  return environmentState(tenant, tenant);
}

/** Tenants the API lists: consent proven, or proven and since removed (the back end must learn of it). */
export const CONNECTED_TENANTS: Prisma.TenantWhereInput = { consentState: { in: ["GRANTED", "REVOKED"] } };

/** The filter `?state=` as a query on the tenant row, consistent with tenantState(). */
export function tenantStateWhere(state: ConnectionState): Prisma.TenantWhereInput {
  switch (state) {
    case "consent_removed":
      return { consentState: "REVOKED" };
    case "healthy":
      return { consentState: "GRANTED", latestCheckOutcome: "PASSED" };
    case "degraded":
      return { consentState: "GRANTED", latestCheckOutcome: "WARNING" };
    case "broken":
      return { consentState: "GRANTED", latestCheckOutcome: "FAILED" };
    case "pending":
      return { consentState: "GRANTED", OR: [{ latestCheckOutcome: null }, { latestCheckOutcome: "RUNNING" }] };
  }
}

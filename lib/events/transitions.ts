import "server-only";

// A health transition (lib/checks/health.ts) as the events owner receives it from a finished check, and the one
// mapping from a transition to its lifecycle event.
import type { HealthState } from "@/lib/generated/prisma/client";

export type TransitionKind = "ready" | "degraded" | "broken" | "recovered";

export type Transition = {
  kind: TransitionKind;
  tenantId: string;
  /** The organisation's name (its domain until Microsoft Graph gave the name); null when neither is known. */
  organisationName: string | null;
  environmentId: string;
  environmentUrl: string;
  environmentName: string | null;
  checkId: string;
  from: HealthState | null;
  to: HealthState;
  /** In the customer's words; null when healthy again. */
  cause: string | null;
  /** What to do about it, in the customer's words (the failing step's fix); null when there is nothing to do. */
  fix: string | null;
  causeId: string | null;
  consentRemoved: boolean;
  brokenSince: Date | null;
  at: Date;
};

export type TransitionEventType = "connection.ready" | "connection.broken" | "connection.recovered" | "consent.removed";

/**
 * The lifecycle event a transition is told as (null: none, e.g. degraded). "Ready" is this and only this: the
 * transition of an environment's first check that did not fail (lib/checks/health.ts).
 */
export function transitionEvent(t: Pick<Transition, "kind" | "consentRemoved">): TransitionEventType | null {
  if (t.kind === "broken") return t.consentRemoved ? "consent.removed" : "connection.broken";
  if (t.kind === "recovered") return "connection.recovered";
  if (t.kind === "ready") return "connection.ready";
  return null;
}

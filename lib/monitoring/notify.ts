import "server-only";

// The one place a health transition is told to people. Called once per transition, after the check that caused it
// is committed (lib/data/checks.ts finishCheck). E-mail alerts go from here; signed webhooks (issue 14's
// publishLifecycleEvent) are to be called from here too, with `lifecycleEvent(transition)` as the event type.
import type { HealthState } from "@/lib/generated/prisma/client";
import type { TransitionKind } from "@/lib/monitoring/health-state";

export type Transition = {
  kind: TransitionKind;
  tenantId: string;
  environmentId: string;
  environmentUrl: string;
  environmentName: string | null;
  checkId: string;
  from: HealthState | null;
  to: HealthState;
  /** In the customer's words; null when healthy again. */
  cause: string | null;
  causeId: string | null;
  consentRemoved: boolean;
  brokenSince: Date | null;
  at: Date;
};

/** The lifecycle event type a transition is published as (null: not published, e.g. degraded). */
export function lifecycleEvent(t: Transition): "connection.ready" | "connection.broken" | "connection.recovered" | "consent.removed" | null {
  if (t.kind === "broken") return t.consentRemoved ? "consent.removed" : "connection.broken";
  if (t.kind === "recovered") return "connection.recovered";
  if (t.kind === "ready") return "connection.ready";
  return null;
}

export async function notifyTransition(transition: Transition): Promise<void> {
  // E-mail alerts (part 4 of issue 11) and webhooks are sent from here.
  void transition;
}

import "server-only";

// One environment's connection health, moved by each finished check (lib/checks/finish.ts):
//   HEALTHY   the last check passed
//   DEGRADED  the last check warned, or failed for a passing reason (throttled, Microsoft unreachable, our own error)
//   BROKEN    the last check failed for a lasting reason; `brokenSince` keeps the first failing check's start
//   RECOVERED the first passing check after BROKEN (the next pass makes it HEALTHY again, silently)
// A transition is returned only when something worth telling people happened, so alerts go out on transitions,
// never on every run: ready (the first check that did not fail: "connected"), broken (entering BROKEN after it
// worked), recovered (leaving BROKEN after it worked: "working again"), degraded. An environment that never worked
// is never "broken" nor "working again": its first working check is "ready", whatever failed before it.
import { consentRemovedCause } from "@/lib/checks/diagnoses";
import type { TransitionKind } from "@/lib/events";
import type { CheckOutcome, HealthState } from "@/lib/generated/prisma/client";

/** Diagnoses that say "try again later", not "something was changed": they degrade, they do not break. */
const PASSING_CAUSES = new Set(["throttled", "unexpected-error", "entra-unreachable"]);

/** Entra's answers when the app has no service principal in the tenant (docs/protocol/entra.md "Proving admin consent"). */
const NO_SERVICE_PRINCIPAL = new Set(["AADSTS700016", "AADSTS7000229"]);

export const CONSENT_REMOVED = "consent-removed";

export type HealthRecord = {
  health: HealthState | null;
  brokenSince: Date | null;
  healthCause: string | null;
  healthCauseId: string | null;
  /** The start of the last check that did not fail; null: it never worked. */
  lastVerifiedAt: Date | null;
};

export type CheckResultForHealth = {
  outcome: Exclude<CheckOutcome, "RUNNING">;
  startedAt: Date;
  /** The failing (or warning) step's diagnosis, Microsoft code and customer-facing cause. */
  diagnosis: string | null;
  errorCode: string | null;
  cause: string | null;
  /** The tenant's admin consent had been proven before (so a missing service principal now means it was removed). */
  consentWasVerified: boolean;
};

export type HealthChange = {
  next: HealthRecord & { healthChangedAt: Date | null };
  /** Set when the change is one people are told about. */
  transition: {
    kind: TransitionKind;
    from: HealthState | null;
    to: HealthState;
    cause: string | null;
    causeId: string | null;
    consentRemoved: boolean;
  } | null;
};

/** The customer's words for consent removed: not an error of ours, and what to do about it. */
export function consentRemovedHealthCause(appName: string): string {
  return `${consentRemovedCause(appName)} An administrator grants consent again in the Consent step.`;
}

export function consentRemoved(result: CheckResultForHealth): boolean {
  // The check's fresh token request found the consent gone (lib/entra/consent-proof.ts).
  if (result.diagnosis === CONSENT_REMOVED) return true;
  return (
    result.consentWasVerified &&
    result.outcome === "FAILED" &&
    result.errorCode !== null &&
    NO_SERVICE_PRINCIPAL.has(result.errorCode)
  );
}

export function nextHealth(
  previous: HealthRecord,
  result: CheckResultForHealth,
  appName: string,
  now = new Date(),
): HealthChange {
  const removed = consentRemoved(result);
  const passing = result.outcome === "FAILED" && !removed && PASSING_CAUSES.has(result.diagnosis ?? "");
  // A passing failure (throttled, Microsoft unreachable) neither breaks nor mends a broken environment.
  if (passing && previous.health === "BROKEN") {
    return { next: { ...previous, healthChangedAt: null }, transition: null };
  }
  const lasting = removed || (result.outcome === "FAILED" && !PASSING_CAUSES.has(result.diagnosis ?? ""));
  const workedBefore = previous.lastVerifiedAt !== null;
  const to: HealthState = lasting
    ? "BROKEN"
    : result.outcome === "PASSED"
      ? previous.health === "BROKEN" && workedBefore
        ? "RECOVERED"
        : "HEALTHY"
      : "DEGRADED";
  const cause =
    to === "HEALTHY" || to === "RECOVERED" ? null : removed ? consentRemovedHealthCause(appName) : result.cause;
  const causeId = to === "HEALTHY" || to === "RECOVERED" ? null : removed ? CONSENT_REMOVED : result.diagnosis;
  const from = previous.health;
  const next = {
    health: to,
    brokenSince:
      to === "BROKEN" ? (from === "BROKEN" && previous.brokenSince ? previous.brokenSince : result.startedAt) : null,
    healthCause: cause,
    healthCauseId: causeId,
    lastVerifiedAt: result.outcome === "FAILED" ? previous.lastVerifiedAt : result.startedAt,
    healthChangedAt: from === to ? null : now,
  };
  let kind: TransitionKind | null = null;
  // An environment that never worked (its first checks, during onboarding) is not "broken": nobody is alerted
  // until it has worked once; its page still shows the failure.
  if (!workedBefore) kind = result.outcome === "FAILED" ? null : "ready";
  else if (to === "BROKEN" && from !== "BROKEN") kind = "broken";
  else if (from === "BROKEN" && to !== "BROKEN") kind = "recovered";
  else if (to === "DEGRADED" && from !== "DEGRADED") kind = "degraded";
  return { next, transition: kind ? { kind, from, to, cause, causeId, consentRemoved: removed } : null };
}

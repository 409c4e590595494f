import "server-only";

// A check's end: its last steps and summary, the environment's health transition (./health.ts), the tenant's
// roll-up, its consent state, the audit trail — in one transaction (lib/data/checks.ts writes the rows) — and
// then one call to the events owner (lib/events), which tells people about a transition, if there was one.
import { nextHealth } from "@/lib/checks/health";
import { config } from "@/lib/config";
import {
  inCheckEndTransaction,
  type CheckSummary,
  type EnvironmentEnd,
  type HealthFacts,
  type StepRecord,
} from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";
import { checkFinished, type CheckEnd, type Transition } from "@/lib/events";

/**
 * Ends a check in one transaction, then hands what changed to lib/events (never on every run: only a health
 * transition is told). Throws only when the database did.
 */
export async function finishCheck(
  scope: TenantScope,
  checkId: string,
  summary: CheckSummary,
  lastSteps: StepRecord[] = [],
): Promise<CheckEnd> {
  const { applicationUserId, ...result } = summary;
  const finishedAt = new Date();
  const end = await inCheckEndTransaction(scope, async (rows) => {
    const { environmentId, startedAt, facts } = await rows.endCheck(checkId, result, lastSteps, finishedAt);
    const health = environmentHealth(
      facts,
      scope.tenantId,
      environmentId,
      checkId,
      { ...result, startedAt },
      finishedAt,
    );
    const t = health.transition;
    // The health change is written before the check's end, so the end stays the newest event of the check.
    const audits = [
      ...(t
        ? [
            {
              action: `environment.${t.kind}`,
              target: { type: "environment", id: t.environmentId },
              details: { checkId, from: t.from, to: t.to, cause: t.causeId },
            },
          ]
        : []),
      {
        action: "check.finished",
        target: { type: "check", id: checkId },
        details: { outcome: result.outcome, failingStep: result.failingStep },
      },
    ];
    const { consentRevoked } = await rows.writeEnd(
      environmentId,
      {
        checkId,
        latestCheckOutcome: result.outcome,
        latestCheckAt: startedAt,
        latestFailingStep: result.failingStep,
        applicationUserId: applicationUserId ?? null,
        health: health.next,
      },
      { revokeConsent: t?.consentRemoved === true, audit: audits },
      finishedAt,
    );
    return { transition: t, consentRevoked };
  });
  await checkFinished(end);
  return end;
}

/** The environment's next health (./health.ts) from the check just finished, and the transition it makes. */
function environmentHealth(
  facts: HealthFacts,
  tenantId: string,
  environmentId: string,
  checkId: string,
  result: Omit<CheckSummary, "applicationUserId"> & { startedAt: Date },
  now: Date,
): { next: EnvironmentEnd["health"]; transition: Transition | null } {
  if (result.outcome === "RUNNING") return { next: null, transition: null };
  const { environment: env, tenant, decidingStep: step } = facts;
  const change = nextHealth(
    {
      health: env.health,
      brokenSince: env.brokenSince,
      healthCause: env.healthCause,
      healthCauseId: env.healthCauseId,
      lastVerifiedAt: env.lastVerifiedAt,
    },
    {
      outcome: result.outcome,
      startedAt: result.startedAt,
      diagnosis: step?.diagnosis ?? null,
      errorCode: step?.errorCode ?? null,
      cause: step?.customerCause ?? null,
      consentWasVerified: tenant.consentVerifiedAt !== null,
    },
    config().branding.appName,
    now,
  );
  const next = change.next;
  const t = change.transition;
  return {
    next,
    transition: t
      ? {
          ...t,
          fix: t.to === "BROKEN" || t.to === "DEGRADED" ? (step?.customerFix ?? null) : null,
          tenantId,
          organisationName: tenant.displayName ?? tenant.primaryDomain,
          environmentId,
          environmentUrl: env.url,
          environmentName: env.friendlyName,
          checkId,
          brokenSince: next.brokenSince,
          at: now,
        }
      : null,
  };
}

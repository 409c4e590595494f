import "server-only";

// A check's end: its last steps and summary, the environment's health transition (./health.ts), the tenant's
// roll-up, its consent state, the audit trail — in one transaction (lib/data/checks.ts writes the rows) — and
// then one call to the events owner (lib/events), which tells people about a transition, if there was one.
import { nextHealth } from "@/lib/checks/health";
import { config } from "@/lib/config";
import { inCheckEndTransaction, type CheckEndRows, type CheckSummary, type StepRecord } from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";
import { checkFinished, type CheckEnd, type Transition } from "@/lib/events";
import type { Prisma } from "@/lib/generated/prisma/client";

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
    const check = await rows.endCheck(checkId, result, lastSteps, finishedAt);
    const health = await environmentHealth(
      rows,
      scope.tenantId,
      check.environmentId,
      checkId,
      { ...result, startedAt: check.startedAt },
      finishedAt,
    );
    const latest = {
      latestCheckOutcome: result.outcome,
      latestCheckAt: check.startedAt,
      latestFailingStep: result.failingStep,
    };
    await rows.writeEnvironment(check.environmentId, {
      latestCheckId: checkId,
      ...latest,
      ...(applicationUserId ? { applicationUserId } : {}),
      ...health.data,
    });
    await rows.rollUpTenant(finishedAt);
    // The health change is written before the check's end, so the end stays the newest event of the check.
    let consentRevoked = false;
    const t = health.transition;
    if (t) {
      if (t.consentRemoved) consentRevoked = await rows.revokeConsent(checkId);
      await rows.audit(
        `environment.${t.kind}`,
        { type: "environment", id: t.environmentId },
        { checkId, from: t.from, to: t.to, cause: t.causeId },
      );
    }
    await rows.audit(
      "check.finished",
      { type: "check", id: checkId },
      { outcome: result.outcome, failingStep: result.failingStep },
    );
    return { transition: t, consentRevoked };
  });
  await checkFinished(end);
  return end;
}

/** The environment's next health (./health.ts) from the check just finished, and the transition it makes. */
async function environmentHealth(
  rows: CheckEndRows,
  tenantId: string,
  environmentId: string,
  checkId: string,
  result: Omit<CheckSummary, "applicationUserId"> & { startedAt: Date },
  now: Date,
): Promise<{ data: Prisma.EnvironmentUncheckedUpdateInput; transition: Transition | null }> {
  if (result.outcome === "RUNNING") return { data: {}, transition: null };
  const {
    environment: env,
    tenant,
    decidingStep: step,
  } = await rows.healthFacts(environmentId, checkId, result.outcome, result.failingStep);
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
  const { healthChangedAt, ...next } = change.next;
  const data: Prisma.EnvironmentUncheckedUpdateInput = { ...next, ...(healthChangedAt ? { healthChangedAt } : {}) };
  const t = change.transition;
  return {
    data,
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

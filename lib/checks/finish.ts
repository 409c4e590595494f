import "server-only";

// A check's end: its last steps and summary, the environment's health transition (./health.ts), the tenant's
// roll-up, its consent state, the audit trail — written together (lib/data/checks.ts writes the rows): in one
// statement, decided from the facts the check's start read, while they still hold; else in one transaction that
// reads them again — and then one call to the events owner (lib/events), which tells people about a transition.
import { nextHealth } from "@/lib/checks/health";
import { config } from "@/lib/config";
import {
  decidingFacts,
  decidingStepOf,
  endCheckAsStarted,
  inCheckEndTransaction,
  type CheckEndWrite,
  type CheckSummary,
  type EndEvents,
  type EnvironmentEnd,
  type HealthFacts,
  type StartFacts,
  type StepRecord,
} from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";
import { checkFinished, type CheckEnd, type Transition } from "@/lib/events";

/** What the run knows that lets its end be one statement: the facts its start read, and every step it settled. */
export type KnownAtEnd = { start: StartFacts; steps: StepRecord[] };

/**
 * Ends a check, then hands what changed to lib/events (never on every run: only a health transition is told).
 * Throws only when the database did.
 */
export async function finishCheck(
  scope: TenantScope,
  checkId: string,
  summary: CheckSummary,
  lastSteps: StepRecord[] = [],
  known?: KnownAtEnd,
): Promise<CheckEnd> {
  const { applicationUserId, ...result } = summary;
  const write: CheckEndWrite = { checkId, result, lastSteps, finishedAt: new Date() };
  const decide = (environmentId: string, startedAt: Date, facts: HealthFacts) =>
    decideEnd(scope, write, environmentId, startedAt, facts, applicationUserId ?? null);
  let end: CheckEnd | null = null;
  if (known) {
    const { start } = known;
    const step = decidingStepOf(known.steps, result.outcome, result.failingStep);
    const decided = decide(start.environmentId, start.startedAt, {
      environment: start.environment,
      tenant: start.tenant,
      decidingStep: decidingFacts(step),
    });
    const written = await endCheckAsStarted(scope, start, write, decided.environment, decided.events);
    if (written) end = { transition: decided.transition, consentRevoked: written.consentRevoked };
  }
  // Not known, or changed since the start (another check of the environment ended, it was renamed…): read again.
  end ??= await inCheckEndTransaction(scope, async (tx) => {
    const { environmentId, startedAt, facts } = await tx.endCheck(write);
    const decided = decide(environmentId, startedAt, facts);
    const { consentRevoked } = await tx.writeEnd(environmentId, decided.environment, decided.events, write.finishedAt);
    return { transition: decided.transition, consentRevoked };
  });
  await checkFinished(end);
  return end;
}

/** What the check's end writes, decided from the facts: the environment's state, the transition, the trail. */
function decideEnd(
  scope: TenantScope,
  { checkId, result, finishedAt }: CheckEndWrite,
  environmentId: string,
  startedAt: Date,
  facts: HealthFacts,
  applicationUserId: string | null,
): { environment: EnvironmentEnd; transition: Transition | null; events: EndEvents } {
  const health = environmentHealth(facts, scope.tenantId, environmentId, checkId, { ...result, startedAt }, finishedAt);
  const t = health.transition;
  // The health change is written before the check's end, so the end stays the newest event of the check.
  const audit = [
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
  return {
    environment: {
      checkId,
      latestCheckOutcome: result.outcome,
      latestCheckAt: startedAt,
      latestFailingStep: result.failingStep,
      applicationUserId,
      health: health.next,
    },
    transition: t,
    events: { revokeConsent: t?.consentRemoved === true, audit },
  };
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

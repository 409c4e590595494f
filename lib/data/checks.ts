import "server-only";

// Connection checks and their steps, read and written within one tenant's scope. (The support console's
// cross-tenant reads are in lib/data/support/tenants.ts, as every staff-only query is.)
import { audit } from "@/lib/audit";
import type { TenantScope } from "@/lib/data/scope";
import { db } from "@/lib/db/client";
import type { CheckOutcome, CheckTrigger, Prisma, StepOutcome } from "@/lib/generated/prisma/client";
import { GUID } from "@/lib/validators";

/** A check still RUNNING after this long was interrupted (the process stopped mid-check): it is closed as FAILED. */
export const ABANDONED_CHECK_MS = 5 * 60 * 1000;

export type StepRecord = {
  ordinal: number;
  name: string;
  outcome: StepOutcome;
  durationMs: number;
  errorCode?: string | null;
  diagnosis?: string | null;
  customerCause?: string | null;
  customerFix?: string | null;
  vendorFault?: boolean;
  vendorDetail?: Prisma.InputJsonValue;
  result?: Prisma.InputJsonValue;
};

export type CheckProgressUpdate = { currentStep: string | null; waitingUntil?: Date | null };

/** The customer's view of a step: no vendor-side detail, no diagnosis id of ours. */
const customerStepSelect = {
  name: true,
  outcome: true,
  durationMs: true,
  errorCode: true,
  vendorFault: true,
  customerCause: true,
  customerFix: true,
  result: true,
} satisfies Prisma.CheckStepSelect;

const customerCheckSelect = {
  id: true,
  environmentId: true,
  trigger: true,
  triggeredByName: true,
  outcome: true,
  startedAt: true,
  finishedAt: true,
  durationMs: true,
  failingStep: true,
  currentStep: true,
  waitingUntil: true,
  steps: { orderBy: { ordinal: "asc" }, select: customerStepSelect },
} satisfies Prisma.ConnectionCheckSelect;

export async function createCheck(scope: TenantScope, environmentId: string, trigger: CheckTrigger, firstStep: string | null = null): Promise<string> {
  const { tenantId, actor } = scope;
  return db().$transaction(async (tx) => {
    const check = await tx.connectionCheck.create({
      data: {
        tenantId,
        environmentId,
        trigger,
        currentStep: firstStep,
        triggeredByObjectId: actor.kind === "SYSTEM" ? null : actor.objectId,
        triggeredByName: actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name,
      },
      select: { id: true },
    });
    await audit({ actor, tenantId, action: "check.started", target: { type: "check", id: check.id }, details: { environmentId, trigger } }, tx);
    return check.id;
  });
}

/** The steps one round trip settled, and where the check goes next, in one transaction. */
export async function recordSteps(scope: TenantScope, checkId: string, steps: StepRecord[], progress?: CheckProgressUpdate): Promise<void> {
  if (steps.length === 0 && !progress) return;
  await db().$transaction(async (tx) => {
    if (steps.length) await tx.checkStep.createMany({ data: steps.map((step) => ({ tenantId: scope.tenantId, checkId, ...step })) });
    if (progress) {
      await tx.connectionCheck.update({
        where: { id: checkId, tenantId: scope.tenantId },
        data: { currentStep: progress.currentStep, waitingUntil: progress.waitingUntil ?? null },
        select: { id: true },
      });
    }
  });
}

export type CheckSummary = {
  outcome: CheckOutcome;
  failingStep: string | null;
  durationMs: number;
  entraRequests: number;
  dataverseRequests: number;
  /** WhoAmI's UserId when the check passed (or only warned): the next check asks for it directly. */
  applicationUserId?: string | null;
};

/**
 * Ends a check: the steps its last round trip settled, its summary, the environment's and tenant's status.
 * Returns true when this is the environment's first check that did not fail (the connection is ready).
 */
export async function finishCheck(scope: TenantScope, checkId: string, summary: CheckSummary, lastSteps: StepRecord[] = []): Promise<boolean> {
  const { tenantId, actor } = scope;
  const { applicationUserId, ...result } = summary;
  const finishedAt = new Date();
  return db().$transaction(async (tx) => {
    if (lastSteps.length) await tx.checkStep.createMany({ data: lastSteps.map((step) => ({ tenantId, checkId, ...step })) });
    const check = await tx.connectionCheck.update({
      where: { id: checkId, tenantId },
      data: { ...result, finishedAt, currentStep: null, waitingUntil: null },
      select: { environmentId: true, startedAt: true },
    });
    const latest = { latestCheckOutcome: result.outcome, latestCheckAt: check.startedAt, latestFailingStep: result.failingStep };
    await tx.environment.update({
      where: { id: check.environmentId, tenantId },
      data: { latestCheckId: checkId, ...latest, ...(applicationUserId ? { applicationUserId } : {}) },
    });
    // The tenant's summary is its worst environment's latest result: one failing environment makes it failing.
    const environments = await tx.environment.findMany({
      where: { tenantId },
      select: { latestCheckOutcome: true, latestCheckAt: true, latestFailingStep: true },
    });
    const rank = { FAILED: 3, WARNING: 2, PASSED: 1, RUNNING: 0 } as const;
    const worst = environments
      .filter((e) => e.latestCheckOutcome)
      .sort((a, b) => rank[b.latestCheckOutcome!] - rank[a.latestCheckOutcome!] || (b.latestCheckAt?.getTime() ?? 0) - (a.latestCheckAt?.getTime() ?? 0))[0];
    await tx.tenant.update({
      where: { id: tenantId },
      data: {
        latestCheckOutcome: worst?.latestCheckOutcome ?? null,
        latestCheckAt: environments.reduce<Date | null>((max, e) => (e.latestCheckAt && (!max || e.latestCheckAt > max) ? e.latestCheckAt : max), null),
        latestFailingStep: worst?.latestFailingStep ?? null,
      },
    });
    await audit({ actor, tenantId, action: "check.finished", target: { type: "check", id: checkId }, details: { outcome: result.outcome, failingStep: result.failingStep } }, tx);
    if (result.outcome === "FAILED") return false;
    const workedBefore = await tx.connectionCheck.count({ where: { tenantId, environmentId: check.environmentId, id: { not: checkId }, outcome: { in: ["PASSED", "WARNING"] } } });
    return workedBefore === 0;
  });
}

/**
 * Closes this environment's checks left RUNNING by a process that stopped mid-check, so that no page follows
 * them forever. Returns how many it closed. (A running process always ends its own checks: lib/checks.)
 */
export async function closeAbandonedChecks(scope: TenantScope, environmentId: string, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - ABANDONED_CHECK_MS);
  const abandoned = await db().connectionCheck.findMany({
    where: { tenantId: scope.tenantId, environmentId, outcome: "RUNNING", startedAt: { lt: cutoff } },
    select: { id: true },
  });
  for (const { id } of abandoned) {
    await db().$transaction(async (tx) => {
      await tx.connectionCheck.update({ where: { id, tenantId: scope.tenantId }, data: { outcome: "FAILED", failingStep: null, finishedAt: new Date(now), currentStep: null, waitingUntil: null } });
      await audit({ actor: scope.actor, tenantId: scope.tenantId, action: "check.abandoned", target: { type: "check", id }, details: { environmentId } }, tx);
    });
  }
  return abandoned.length;
}

/** What the next check needs to know about the environment: the application user the last passing check saw. */
export async function rememberedApplicationUser(scope: TenantScope, environmentId: string): Promise<string | null> {
  const env = await db().environment.findFirst({ where: { id: environmentId, tenantId: scope.tenantId }, select: { applicationUserId: true } });
  return env?.applicationUserId ?? null;
}

export async function listChecks(scope: TenantScope, environmentId: string, take = 10) {
  return db().connectionCheck.findMany({
    where: { tenantId: scope.tenantId, environmentId },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take,
    select: customerCheckSelect,
  });
}

export async function getCheck(scope: TenantScope, checkId: string) {
  if (!GUID.test(checkId)) return null;
  return db().connectionCheck.findFirst({ where: { id: checkId, tenantId: scope.tenantId }, select: customerCheckSelect });
}

export type CustomerCheck = NonNullable<Awaited<ReturnType<typeof getCheck>>>;

/** The environment's check in progress, if any: a page reloaded mid-check picks it up and follows it. */
export async function runningCheckId(scope: TenantScope, environmentId: string): Promise<string | null> {
  const running = await db().connectionCheck.findFirst({
    where: { tenantId: scope.tenantId, environmentId, outcome: "RUNNING", startedAt: { gte: new Date(Date.now() - ABANDONED_CHECK_MS) } },
    orderBy: { startedAt: "desc" },
    select: { id: true },
  });
  return running?.id ?? null;
}

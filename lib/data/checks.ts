import "server-only";

// Connection checks and their steps. Every function takes the tenant id and scopes every query by it.
import { audit } from "@/lib/audit";
import type { TenantScope } from "@/lib/data/scope";
import { db } from "@/lib/db/client";
import type { CheckOutcome, CheckTrigger, Prisma, StepOutcome } from "@/lib/generated/prisma/client";

export type StepRecord = {
  ordinal: number;
  name: string;
  outcome: StepOutcome;
  durationMs: number;
  errorCode?: string | null;
  customerCause?: string | null;
  customerFix?: string | null;
  vendorFault?: boolean;
  vendorDetail?: Prisma.InputJsonValue;
  result?: Prisma.InputJsonValue;
};

export async function createCheck(scope: TenantScope, environmentId: string, trigger: CheckTrigger): Promise<string> {
  const { tenantId, actor } = scope;
  return db().$transaction(async (tx) => {
    const check = await tx.connectionCheck.create({
      data: {
        tenantId,
        environmentId,
        trigger,
        triggeredByObjectId: actor.kind === "SYSTEM" ? null : actor.objectId,
        triggeredByName: actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name,
      },
      select: { id: true },
    });
    await audit({ actor, tenantId, action: "check.started", target: { type: "check", id: check.id }, details: { environmentId, trigger } }, tx);
    return check.id;
  });
}

export async function recordStep(scope: TenantScope, checkId: string, step: StepRecord): Promise<void> {
  await db().checkStep.create({ data: { tenantId: scope.tenantId, checkId, ...step } });
}

export async function finishCheck(
  scope: TenantScope,
  checkId: string,
  summary: { outcome: CheckOutcome; failingStep: string | null; durationMs: number; entraRequests: number; dataverseRequests: number },
): Promise<void> {
  const { tenantId, actor } = scope;
  const finishedAt = new Date();
  await db().$transaction(async (tx) => {
    const check = await tx.connectionCheck.update({
      where: { id: checkId, tenantId },
      data: { ...summary, finishedAt },
      select: { environmentId: true, startedAt: true },
    });
    const latest = { latestCheckOutcome: summary.outcome, latestCheckAt: check.startedAt, latestFailingStep: summary.failingStep };
    await tx.environment.update({ where: { id: check.environmentId, tenantId }, data: { latestCheckId: checkId, ...latest } });
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
    await audit({ actor, tenantId, action: "check.finished", target: { type: "check", id: checkId }, details: { outcome: summary.outcome, failingStep: summary.failingStep } }, tx);
  });
}

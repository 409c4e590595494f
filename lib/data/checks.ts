import "server-only";

// Connection checks and their steps, read and written within one tenant's scope. (The support console's
// cross-tenant reads are in lib/data/support/tenants.ts, as every staff-only query is.)
import { audit } from "@/lib/audit";
import { AUTOMATIC_TRIGGERS, CHECK_HISTORY_KEEP, mergeHistories, PERSON_TRIGGERS } from "@/lib/data/check-history";
import type { TenantScope } from "@/lib/data/scope";
import { db } from "@/lib/db/client";
import { uuidv7 } from "@/lib/db/uuid7";
import type { CheckOutcome, CheckTrigger, HealthState, Prisma, StepOutcome } from "@/lib/generated/prisma/client";
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

/**
 * The customer's view of a step: no vendor-side detail. The diagnosis id of ours is read only to say who can fix
 * it (lib/checks/customer-view.ts drops it before anything reaches a page or the browser).
 */
const customerStepSelect = {
  name: true,
  outcome: true,
  durationMs: true,
  errorCode: true,
  diagnosis: true,
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

/**
 * A new check (RUNNING, at its first step) and its audit row, in ONE statement: the check's start is on the path
 * of every check a person waits for, and a transaction of two inserts costs four round trips to the database.
 */
export async function createCheck(
  scope: TenantScope,
  environmentId: string,
  trigger: CheckTrigger,
  firstStep: string | null = null,
): Promise<string> {
  const { tenantId, actor } = scope;
  const now = new Date();
  const checkId = uuidv7(now.getTime());
  const person = actor.kind === "SYSTEM" ? null : actor;
  const triggeredByName = actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name;
  const details = JSON.stringify({ environmentId, trigger });
  await db().$executeRaw`
    WITH started AS (
      INSERT INTO "ConnectionCheck" ("id", "tenantId", "environmentId", "trigger", "currentStep", "triggeredByObjectId", "triggeredByName", "startedAt")
      VALUES (${checkId}::uuid, ${tenantId}::uuid, ${environmentId}::uuid, ${trigger}::"CheckTrigger", ${firstStep}, ${person?.objectId ?? null}::uuid, ${triggeredByName}, ${now})
      RETURNING "id"
    )
    INSERT INTO "AuditEvent" ("id", "tenantId", "actorKind", "actorTenantId", "actorObjectId", "actorName", "action", "targetType", "targetId", "details", "createdAt")
    SELECT ${uuidv7(now.getTime())}::uuid, ${tenantId}::uuid, ${actor.kind}::"ActorKind", ${person?.tenantId ?? null}::uuid, ${person?.objectId ?? null}::uuid, ${triggeredByName},
      'check.started', 'check', started."id"::text, ${details}::jsonb, ${now}
    FROM started`;
  return checkId;
}

/** The steps one round trip settled, and where the check goes next, in one transaction. */
export async function recordSteps(
  scope: TenantScope,
  checkId: string,
  steps: StepRecord[],
  progress?: CheckProgressUpdate,
): Promise<void> {
  if (steps.length === 0 && !progress) return;
  await db().$transaction(async (tx) => {
    if (steps.length)
      await tx.checkStep.createMany({ data: steps.map((step) => ({ tenantId: scope.tenantId, checkId, ...step })) });
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

/** What a check's end knows about the environment before its health moves (lib/checks/finish.ts decides). */
export type HealthFacts = {
  environment: {
    url: string;
    friendlyName: string | null;
    health: HealthState | null;
    brokenSince: Date | null;
    healthCause: string | null;
    healthCauseId: string | null;
    /** The start of the last check that did not fail, looked up in its history when the column is empty. */
    lastVerifiedAt: Date | null;
  };
  tenant: { consentVerifiedAt: Date | null; displayName: string | null; primaryDomain: string | null };
  /** The step that decided the outcome: the failing one, else the first that warned. */
  decidingStep: {
    diagnosis: string | null;
    errorCode: string | null;
    customerCause: string | null;
    customerFix: string | null;
  } | null;
};

type EnvironmentHealthRow = HealthFacts["environment"] & HealthFacts["tenant"];

/**
 * The rows a check's end reads and writes, inside its one transaction (lib/checks/finish.ts runs it and decides
 * everything in between): each returns facts and decides nothing.
 */
export type CheckEndRows = ReturnType<typeof checkEndRows>;

function checkEndRows(scope: TenantScope, tx: Prisma.TransactionClient) {
  const { tenantId, actor } = scope;
  return {
    /** Writes the last steps and the check's summary; returns its environment and start. */
    async endCheck(
      checkId: string,
      result: Omit<CheckSummary, "applicationUserId">,
      lastSteps: StepRecord[],
      finishedAt: Date,
    ): Promise<{ environmentId: string; startedAt: Date }> {
      if (lastSteps.length)
        await tx.checkStep.createMany({ data: lastSteps.map((step) => ({ tenantId, checkId, ...step })) });
      return tx.connectionCheck.update({
        where: { id: checkId, tenantId },
        data: { ...result, finishedAt, currentStep: null, waitingUntil: null },
        select: { environmentId: true, startedAt: true },
      });
    },

    async healthFacts(
      environmentId: string,
      checkId: string,
      outcome: CheckOutcome,
      failingStep: string | null,
    ): Promise<HealthFacts> {
      // One statement with its tenant (a relation read through Prisma is two).
      const [row] = await tx.$queryRaw<Array<EnvironmentHealthRow>>`
        SELECT e."url", e."friendlyName", e."health", e."brokenSince", e."healthCause", e."healthCauseId", e."lastVerifiedAt",
          t."consentVerifiedAt", t."displayName", t."primaryDomain"
        FROM "Environment" e JOIN "Tenant" t ON t."id" = e."tenantId"
        WHERE e."id" = ${environmentId}::uuid AND e."tenantId" = ${tenantId}::uuid`;
      if (!row) throw new Error(`The environment ${environmentId} of the check ${checkId} is gone.`);
      const { consentVerifiedAt, displayName, primaryDomain, ...columns } = row;
      const env = { ...columns, tenant: { consentVerifiedAt, displayName, primaryDomain } };
      // A passed check has no deciding step: no step failed or warned.
      const decidingStep =
        outcome === "PASSED"
          ? null
          : await tx.checkStep.findFirst({
              where: { checkId, tenantId, ...(failingStep ? { name: failingStep } : { outcome: "WARNING" }) },
              orderBy: { ordinal: "asc" },
              select: { diagnosis: true, errorCode: true, customerCause: true, customerFix: true },
            });
      // Never verified: look into its history once (never the warm path), for environments whose earlier working
      // checks predate lastVerifiedAt (seeded, or checked before it existed).
      const lastVerifiedAt =
        env.lastVerifiedAt ??
        (
          await tx.connectionCheck.findFirst({
            where: { tenantId, environmentId, id: { not: checkId }, outcome: { in: ["PASSED", "WARNING"] } },
            orderBy: { startedAt: "desc" },
            select: { startedAt: true },
          })
        )?.startedAt ??
        null;
      const { tenant, ...environment } = env;
      return { environment: { ...environment, lastVerifiedAt }, tenant, decidingStep };
    },

    async writeEnvironment(environmentId: string, data: Prisma.EnvironmentUncheckedUpdateInput): Promise<void> {
      await tx.environment.update({ where: { id: environmentId, tenantId }, data, select: { id: true } });
    },

    /**
     * The tenant's summary from its environments (the new result included), in one statement: its worst
     * environment's latest result (one failing environment makes it failing; the newest among equals), its worst
     * health, its earliest brokenSince and its newest check.
     */
    async rollUpTenant(now: Date): Promise<void> {
      await tx.$executeRaw`
        WITH environments AS (
          SELECT "latestCheckOutcome", "latestCheckAt", "latestFailingStep", "health", "brokenSince" FROM "Environment" WHERE "tenantId" = ${tenantId}::uuid
        ),
        worst AS (
          SELECT "latestCheckOutcome", "latestFailingStep" FROM environments WHERE "latestCheckOutcome" IS NOT NULL
          ORDER BY CASE "latestCheckOutcome" WHEN 'FAILED' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'PASSED' THEN 1 ELSE 0 END DESC, "latestCheckAt" DESC NULLS LAST
          LIMIT 1
        ),
        rolled AS (
          SELECT max("latestCheckAt") AS "latestCheckAt", min("brokenSince") AS "brokenSince",
            (array_agg("health" ORDER BY CASE "health" WHEN 'BROKEN' THEN 3 WHEN 'DEGRADED' THEN 2 WHEN 'RECOVERED' THEN 1 ELSE 0 END DESC) FILTER (WHERE "health" IS NOT NULL))[1] AS "health"
          FROM environments
        )
        UPDATE "Tenant" SET
          "latestCheckOutcome" = (SELECT "latestCheckOutcome" FROM worst),
          "latestFailingStep" = (SELECT "latestFailingStep" FROM worst),
          "latestCheckAt" = rolled."latestCheckAt",
          "health" = rolled."health",
          "brokenSince" = rolled."brokenSince",
          "updatedAt" = ${now}
        FROM rolled
        WHERE "Tenant"."id" = ${tenantId}::uuid`;
    },

    /** A granted consent becomes revoked, audited; returns whether it changed. */
    async revokeConsent(checkId: string): Promise<boolean> {
      const revoked = await tx.tenant.updateMany({
        where: { id: tenantId, consentState: "GRANTED" },
        data: { consentState: "REVOKED" },
      });
      if (revoked.count)
        await audit(
          {
            actor,
            tenantId,
            action: "consent.revoked",
            target: { type: "tenant", id: tenantId },
            details: { because: "re-verification", checkId },
          },
          tx,
        );
      return revoked.count > 0;
    },

    audit(action: string, target: { type: string; id: string }, details: Prisma.InputJsonValue): Promise<void> {
      return audit({ actor, tenantId, action, target, details }, tx).then(() => undefined);
    },
  };
}

/** Runs `work` on a check's end rows in one transaction. */
export function inCheckEndTransaction<T>(scope: TenantScope, work: (rows: CheckEndRows) => Promise<T>): Promise<T> {
  return db().$transaction((tx) => work(checkEndRows(scope, tx)));
}

/**
 * Closes this environment's checks left RUNNING by a process that stopped mid-check, so that no page follows
 * them forever. Returns how many it closed. (A running process always ends its own checks: lib/checks.)
 */
export async function closeAbandonedChecks(
  scope: TenantScope,
  environmentId: string,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - ABANDONED_CHECK_MS);
  const abandoned = await db().connectionCheck.findMany({
    where: { tenantId: scope.tenantId, environmentId, outcome: "RUNNING", startedAt: { lt: cutoff } },
    select: { id: true },
  });
  for (const { id } of abandoned) {
    await db().$transaction(async (tx) => {
      await tx.connectionCheck.update({
        where: { id, tenantId: scope.tenantId },
        data: {
          outcome: "FAILED",
          failingStep: null,
          finishedAt: new Date(now),
          currentStep: null,
          waitingUntil: null,
        },
      });
      await audit(
        {
          actor: scope.actor,
          tenantId: scope.tenantId,
          action: "check.abandoned",
          target: { type: "check", id },
          details: { environmentId },
        },
        tx,
      );
    });
  }
  return abandoned.length;
}

/** A SCHEDULED check of the environment started at or after `since` and still RUNNING: one the database interrupted. */
export async function interruptedCheckId(
  scope: TenantScope,
  environmentId: string,
  since: Date,
): Promise<string | null> {
  const check = await db().connectionCheck.findFirst({
    where: {
      tenantId: scope.tenantId,
      environmentId,
      trigger: "SCHEDULED",
      outcome: "RUNNING",
      startedAt: { gte: since },
    },
    orderBy: { startedAt: "desc" },
    select: { id: true },
  });
  return check?.id ?? null;
}

/**
 * Begins an interrupted check again on its own row (one check per scheduled run, whatever the database did):
 * the steps it wrote go, it stays RUNNING at its first step. A check that had already ended is left as it is
 * and its outcome returned.
 */
export async function restartCheck(
  scope: TenantScope,
  checkId: string,
  firstStep: string,
  reason: string,
): Promise<{ restarted: true } | { restarted: false; outcome: CheckOutcome }> {
  const { tenantId, actor } = scope;
  return db().$transaction(async (tx) => {
    const reset = await tx.connectionCheck.updateMany({
      where: { id: checkId, tenantId, outcome: "RUNNING" },
      data: { currentStep: firstStep, waitingUntil: null },
    });
    if (reset.count === 0) {
      const check = await tx.connectionCheck.findFirstOrThrow({
        where: { id: checkId, tenantId },
        select: { outcome: true },
      });
      return { restarted: false, outcome: check.outcome } as const;
    }
    await tx.checkStep.deleteMany({ where: { tenantId, checkId } });
    await audit(
      { actor, tenantId, action: "check.resumed", target: { type: "check", id: checkId }, details: { reason } },
      tx,
    );
    return { restarted: true } as const;
  });
}

/**
 * What a check knows before it asks Microsoft anything: the application user of the last passing check (asked for
 * directly) and whether the tenant's admin consent was ever proven (then every check proves it again).
 */
export async function checkPrerequisites(
  scope: TenantScope,
  environmentId: string,
): Promise<{ applicationUserId: string | null; consentProven: boolean }> {
  // One statement with the tenant's column (a relation read through Prisma is two): the first round trip waits for it.
  const [env] = await db().$queryRaw<Array<{ applicationUserId: string | null; consentProven: boolean }>>`
    SELECT e."applicationUserId", t."consentVerifiedAt" IS NOT NULL AS "consentProven"
    FROM "Environment" e JOIN "Tenant" t ON t."id" = e."tenantId"
    WHERE e."id" = ${environmentId}::uuid AND e."tenantId" = ${scope.tenantId}::uuid`;
  return { applicationUserId: env?.applicationUserId ?? null, consentProven: env?.consentProven ?? false };
}

/**
 * The environment's history: the newest `take` checks people ran and the newest `take` scheduled ones
 * (lib/data/check-history.ts), each list with its checks' steps in one statement (Prisma's relationJoins: a lateral
 * join, prisma/schema.prisma), so two statements, side by side: an environment's page is bound by its statements.
 */
export async function listChecks(
  scope: TenantScope,
  environmentId: string,
  take = CHECK_HISTORY_KEEP,
): Promise<CustomerCheck[]> {
  const newest = (triggers: readonly CheckTrigger[]) =>
    db().connectionCheck.findMany({
      where: { tenantId: scope.tenantId, environmentId, trigger: { in: [...triggers] } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take,
      select: customerCheckSelect,
    });
  const [person, automatic] = await Promise.all([newest(PERSON_TRIGGERS), newest(AUTOMATIC_TRIGGERS)]);
  return mergeHistories(person, automatic);
}

export async function getCheck(scope: TenantScope, checkId: string) {
  if (!GUID.test(checkId)) return null;
  return db().connectionCheck.findFirst({
    where: { id: checkId, tenantId: scope.tenantId },
    select: customerCheckSelect,
  });
}

export type CustomerCheck = NonNullable<Awaited<ReturnType<typeof getCheck>>>;

/** The environment's check in progress, if any: a page reloaded mid-check picks it up and follows it. */
export async function runningCheckId(scope: TenantScope, environmentId: string): Promise<string | null> {
  const running = await db().connectionCheck.findFirst({
    where: {
      tenantId: scope.tenantId,
      environmentId,
      outcome: "RUNNING",
      startedAt: { gte: new Date(Date.now() - ABANDONED_CHECK_MS) },
    },
    orderBy: { startedAt: "desc" },
    select: { id: true },
  });
  return running?.id ?? null;
}

import "server-only";

// Connection checks and their steps, read and written within one tenant's scope. (The support console's
// cross-tenant reads are in lib/data/support/tenants.ts, as every staff-only query is.)
import { audit, insertAuditRows, type AuditInput } from "@/lib/audit";
import { AUTOMATIC_TRIGGERS, CHECK_HISTORY_KEEP, mergeHistories, PERSON_TRIGGERS } from "@/lib/data/check-history";
import type { TenantScope } from "@/lib/data/scope";
import { db } from "@/lib/db/client";
import { uuidv7, uuidv7Sql } from "@/lib/db/uuid7";
import {
  Prisma,
  type CheckOutcome,
  type CheckTrigger,
  type HealthState,
  type StepOutcome,
} from "@/lib/generated/prisma/client";
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

/** A check as a history lists it: what it was, when, by whom and how it ended, without its steps. */
const historyCheckSelect = {
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
} satisfies Prisma.ConnectionCheckSelect;

export const customerCheckSelect = {
  ...historyCheckSelect,
  steps: { orderBy: { ordinal: "asc" }, select: customerStepSelect },
} satisfies Prisma.ConnectionCheckSelect;

/** What a check knows before it asks Microsoft anything (lib/checks/run.ts). */
export type CheckPrerequisites = {
  /** The application user of the last passing check: asked for directly. */
  applicationUserId: string | null;
  /** The tenant's admin consent was proven once: then every check proves it again. */
  consentProven: boolean;
};

/** How a check starts: beside any other (scripts, tests, the benchmark), or only when none is running. */
export type StartMode = "beside" | "unless-running";

export type StartedCheck =
  | { started: true; checkId: string; prerequisites: CheckPrerequisites; facts: StartFacts }
  | { started: false; reason: "running"; runningCheckId: string }
  /** The environment is not there (removed since the check was planned). */
  | { started: false; reason: "gone" };

type StartRow = CheckPrerequisites &
  HealthFacts["environment"] &
  HealthFacts["tenant"] & { runningCheckId: string | null; started: boolean; environmentUpdatedAt: Date | null };

/**
 * A check's start, in ONE statement (it is on the path of every check a person waits for, and of every scheduled
 * one): unless started "beside" any other, the environment's checks left RUNNING by a process that stopped mid-check
 * are closed as FAILED (audited check.abandoned), and a check still running is returned instead of a new one (two
 * launches in the same instant can still both start one, as before: each statement sees the rows committed when it
 * began); else the new check (RUNNING, at its first step), its audit row (check.started), its prerequisites and
 * what its end will decide from (StartFacts); "gone" when the environment is not there.
 */
export async function startCheck(
  scope: TenantScope,
  environmentId: string,
  trigger: CheckTrigger,
  firstStep: string | null,
  mode: StartMode,
  nowMs = Date.now(),
): Promise<StartedCheck> {
  const { tenantId, actor } = scope;
  const now = new Date(nowMs);
  const cutoff = new Date(nowMs - ABANDONED_CHECK_MS);
  const checkId = uuidv7(nowMs);
  const person = actor.kind === "SYSTEM" ? null : actor;
  const actorName = actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name;
  const actorColumns = Prisma.sql`${actor.kind}::"ActorKind", ${person?.tenantId ?? null}::uuid, ${person?.objectId ?? null}::uuid, ${actorName}`;
  const guarded = mode === "unless-running";
  const startedAudit = insertAuditRows(
    [
      {
        id: uuidv7(nowMs),
        event: {
          actor,
          tenantId,
          action: "check.started",
          target: { type: "check", id: checkId },
          details: { environmentId, trigger },
        },
      },
    ],
    now,
    Prisma.sql`EXISTS (SELECT 1 FROM started)`,
  );
  const [row] = await db().$queryRaw<StartRow[]>`
    WITH abandoned AS (
      UPDATE "ConnectionCheck" SET "outcome" = 'FAILED', "failingStep" = NULL, "finishedAt" = ${now}, "currentStep" = NULL, "waitingUntil" = NULL
      WHERE ${guarded} AND "tenantId" = ${tenantId}::uuid AND "environmentId" = ${environmentId}::uuid AND "outcome" = 'RUNNING' AND "startedAt" < ${cutoff}
      RETURNING "id"
    ),
    -- One row per check closed here, so not insertAuditRows (its rows are known before the statement runs).
    abandoned_audited AS (
      INSERT INTO "AuditEvent" ("id", "tenantId", "actorKind", "actorTenantId", "actorObjectId", "actorName", "action", "targetType", "targetId", "details", "createdAt")
      SELECT ${uuidv7Sql(nowMs)}, ${tenantId}::uuid, ${actorColumns}, 'check.abandoned', 'check', a."id"::text, ${JSON.stringify({ environmentId })}::jsonb, ${now}
      FROM abandoned a
      RETURNING 1
    ),
    running AS (
      SELECT "id" FROM "ConnectionCheck"
      WHERE ${guarded} AND "tenantId" = ${tenantId}::uuid AND "environmentId" = ${environmentId}::uuid AND "outcome" = 'RUNNING' AND "startedAt" >= ${cutoff}
      ORDER BY "startedAt" DESC LIMIT 1
    ),
    -- What the check needs before it asks Microsoft anything, and what its end will decide from (StartFacts).
    facts AS (
      SELECT e."applicationUserId", t."consentVerifiedAt" IS NOT NULL AS "consentProven", e."updatedAt" AS "environmentUpdatedAt",
        e."url", e."friendlyName", e."health", e."brokenSince", e."healthCause", e."healthCauseId", ${lastVerifiedAtOf(null)} AS "lastVerifiedAt",
        t."consentVerifiedAt", t."displayName", t."primaryDomain"
      FROM "Environment" e JOIN "Tenant" t ON t."id" = e."tenantId"
      WHERE e."id" = ${environmentId}::uuid AND e."tenantId" = ${tenantId}::uuid
    ),
    started AS (
      INSERT INTO "ConnectionCheck" ("id", "tenantId", "environmentId", "trigger", "currentStep", "triggeredByObjectId", "triggeredByName", "startedAt")
      SELECT ${checkId}::uuid, ${tenantId}::uuid, ${environmentId}::uuid, ${trigger}::"CheckTrigger", ${firstStep}, ${person?.objectId ?? null}::uuid, ${actorName}, ${now}
      WHERE NOT EXISTS (SELECT 1 FROM running) AND EXISTS (SELECT 1 FROM facts)
      RETURNING "id"
    ),
    audited AS (${startedAudit} RETURNING 1)
    SELECT (SELECT "id"::text FROM running) AS "runningCheckId", EXISTS (SELECT 1 FROM started) AS "started", f.*
    FROM (SELECT 1) one LEFT JOIN facts f ON true`;
  if (row?.runningCheckId) return { started: false, reason: "running", runningCheckId: row.runningCheckId };
  if (!row?.environmentUpdatedAt) return { started: false, reason: "gone" };
  if (!row.started) throw new Error(`The check of the environment ${environmentId} did not start.`);
  const {
    runningCheckId: _running,
    started: _started,
    applicationUserId,
    consentProven,
    environmentUpdatedAt,
    consentVerifiedAt,
    displayName,
    primaryDomain,
    ...environment
  } = row;
  return {
    started: true,
    checkId,
    prerequisites: { applicationUserId: applicationUserId ?? null, consentProven: consentProven === true },
    facts: {
      environmentId,
      startedAt: now,
      environmentUpdatedAt,
      environment,
      tenant: { consentVerifiedAt, displayName, primaryDomain },
    },
  };
}

/** A check started beside any other (scripts, tests): its id, prerequisites and start facts. */
export async function createCheck(
  scope: TenantScope,
  environmentId: string,
  trigger: CheckTrigger,
  firstStep: string | null = null,
): Promise<{ checkId: string; prerequisites: CheckPrerequisites; facts: StartFacts }> {
  const started = await startCheck(scope, environmentId, trigger, firstStep, "beside");
  if (!started.started) throw new Error(`The environment ${environmentId} is not there.`);
  return started;
}

/** The steps one round trip settled, and where the check goes next, in one transaction. */
export async function recordSteps(
  scope: TenantScope,
  checkId: string,
  steps: StepRecord[],
  progress?: CheckProgressUpdate,
): Promise<void> {
  if (steps.length === 0 && !progress) return;
  const { tenantId } = scope;
  // One statement: the steps' INSERT as a WITH clause of the check's UPDATE.
  const written = steps.length ? insertSteps(tenantId, checkId, steps, new Date()) : Prisma.sql`SELECT 1`;
  await db().$executeRaw`
    WITH steps AS (${written})
    ${
      progress
        ? Prisma.sql`UPDATE "ConnectionCheck" SET "currentStep" = ${progress.currentStep}, "waitingUntil" = ${progress.waitingUntil ?? null}::timestamp(3)
            WHERE "id" = ${checkId}::uuid AND "tenantId" = ${tenantId}::uuid`
        : Prisma.sql`SELECT 1`
    }`;
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

/** What the check's end writes into its environment: the latest check, and its health unless the check is still running. */
export type EnvironmentEnd = {
  checkId: string;
  latestCheckOutcome: CheckOutcome;
  latestCheckAt: Date;
  latestFailingStep: string | null;
  /** Kept when null. */
  applicationUserId: string | null;
  health: {
    health: HealthState | null;
    brokenSince: Date | null;
    healthCause: string | null;
    healthCauseId: string | null;
    lastVerifiedAt: Date | null;
    /** Kept when null (the health did not change). */
    healthChangedAt: Date | null;
  } | null;
};

type CheckEndRow = HealthFacts["environment"] &
  HealthFacts["tenant"] & {
    environmentId: string;
    startedAt: Date;
    earlierDecidingStep: (NonNullable<HealthFacts["decidingStep"]> & { ordinal: number }) | null;
  };

/**
 * The step that decided a check's outcome among `steps`: the failing one, else the first that warned; a passed
 * check has none.
 */
export function decidingStepOf<T extends { ordinal: number; name: string; outcome: string }>(
  steps: T[],
  outcome: CheckOutcome,
  failingStep: string | null,
): T | null {
  if (outcome === "PASSED") return null;
  const deciding = steps.filter((step) => (failingStep ? step.name === failingStep : step.outcome === "WARNING"));
  return deciding.sort((a, b) => a.ordinal - b.ordinal)[0] ?? null;
}

/** A deciding step (decidingStepOf) as the facts its check's end decides from. */
export function decidingFacts(
  step: Partial<NonNullable<HealthFacts["decidingStep"]>> | null,
): HealthFacts["decidingStep"] {
  return step
    ? {
        diagnosis: step.diagnosis ?? null,
        errorCode: step.errorCode ?? null,
        customerCause: step.customerCause ?? null,
        customerFix: step.customerFix ?? null,
      }
    : null;
}

/** The columns of a step row inserted from JSON (jsonb_to_recordset), as StepRecord names them. */
const STEP_RECORDSET = Prisma.sql`"id" uuid, "ordinal" int, "name" text, "outcome" text, "durationMs" int, "errorCode" text,
  "diagnosis" text, "customerCause" text, "customerFix" text, "vendorFault" boolean, "vendorDetail" jsonb, "result" jsonb`;

/**
 * Steps as one INSERT … SELECT from a JSON array. Hand-written because Prisma plans every createMany afresh (its query
 * plan cache skips createMany: @prisma/client 7.10 runtime), and that plan took about 5 ms of CPU on every check
 * (scripts/bench/check.ts, issue 25). Columns left out take their defaults, as with createMany.
 */
function insertSteps(
  tenantId: string,
  checkId: string,
  steps: StepRecord[],
  startedAt: Date,
  when: Prisma.Sql = Prisma.sql`true`,
): Prisma.Sql {
  const rows = JSON.stringify(steps.map((step) => ({ id: uuidv7(startedAt.getTime()), ...step })));
  return Prisma.sql`
    INSERT INTO "CheckStep" ("id", "tenantId", "checkId", "ordinal", "name", "outcome", "startedAt", "durationMs", "errorCode",
      "diagnosis", "customerCause", "customerFix", "vendorFault", "vendorDetail", "result")
    SELECT s."id", ${tenantId}::uuid, ${checkId}::uuid, s."ordinal", s."name", s."outcome"::"StepOutcome", ${startedAt}, s."durationMs",
      s."errorCode", s."diagnosis", s."customerCause", s."customerFix", COALESCE(s."vendorFault", false), s."vendorDetail", s."result"
    FROM jsonb_to_recordset(${rows}::jsonb) AS s(${STEP_RECORDSET})
    WHERE ${when}`;
}

/** What a check's end writes: its last steps and summary, its environment, and the events of the trail. */
export type CheckEndWrite = {
  checkId: string;
  result: Omit<CheckSummary, "applicationUserId">;
  lastSteps: StepRecord[];
  finishedAt: Date;
};

export type EndEvents = { revokeConsent: boolean; audit: Array<Omit<AuditInput, "actor" | "tenantId">> };

/** WITH clauses `steps` and `ended` (RETURNING "environmentId", "startedAt"): the last steps and the summary, `when` it holds. */
function checkEndWrites(tenantId: string, end: CheckEndWrite, when: Prisma.Sql): Prisma.Sql {
  const { checkId, result, lastSteps, finishedAt } = end;
  return Prisma.sql`
    steps AS (${lastSteps.length ? insertSteps(tenantId, checkId, lastSteps, finishedAt, when) : Prisma.sql`SELECT 1`}),
    ended AS (
      UPDATE "ConnectionCheck" SET "outcome" = ${result.outcome}::"CheckOutcome", "failingStep" = ${result.failingStep}, "durationMs" = ${result.durationMs},
        "entraRequests" = ${result.entraRequests}, "dataverseRequests" = ${result.dataverseRequests}, "finishedAt" = ${end.finishedAt},
        "currentStep" = NULL, "waitingUntil" = NULL
      WHERE "id" = ${checkId}::uuid AND "tenantId" = ${tenantId}::uuid AND ${when}
      RETURNING "environmentId", "startedAt"
    )`;
}

/**
 * WITH clauses `env` … `audited`: the environment's new state `when` it holds; then, if it was written, the tenant's
 * summary from its environments (the new state included: its worst environment's latest result, one failing
 * environment making it failing and the newest among equals; its worst health, its earliest brokenSince, its newest
 * check), a granted consent made revoked when `events.revokeConsent` (`tenant` RETURNING "consentRevoked"), and the
 * audit rows; the consent's own row (consent.revoked) only when it changed.
 */
function environmentEndWrites(
  scope: TenantScope,
  environmentId: string,
  env: EnvironmentEnd,
  events: EndEvents,
  now: Date,
  when: Prisma.Sql,
): Prisma.Sql {
  const { tenantId, actor } = scope;
  const h = env.health;
  const write = h !== null;
  // Ids in the order the events happened: the consent's change, the health's, then the check's end, so the end
  // stays the newest event of the check (the trail sorts by time, then id).
  const ids = Array.from({ length: events.audit.length + 1 }, () => uuidv7(now.getTime())).sort();
  const consentAudited = insertAuditRows(
    [
      {
        id: ids[0]!,
        event: {
          actor,
          tenantId,
          action: "consent.revoked",
          target: { type: "tenant", id: tenantId },
          details: { because: "re-verification", checkId: env.checkId },
        },
      },
    ],
    now,
    Prisma.sql`(SELECT "consentRevoked" FROM tenant)`,
  );
  const audited = insertAuditRows(
    events.audit.map((event, i) => ({ id: ids[i + 1]!, event: { actor, tenantId, ...event } })),
    now,
    Prisma.sql`EXISTS (SELECT 1 FROM env)`,
  );
  return Prisma.sql`
    env AS (
      UPDATE "Environment" SET "latestCheckId" = ${env.checkId}::uuid, "latestCheckOutcome" = ${env.latestCheckOutcome}::"CheckOutcome",
        "latestCheckAt" = ${env.latestCheckAt}, "latestFailingStep" = ${env.latestFailingStep},
        "applicationUserId" = COALESCE(${env.applicationUserId}::uuid, "applicationUserId"),
        "health" = CASE WHEN ${write} THEN ${h?.health ?? null}::"HealthState" ELSE "health" END,
        "brokenSince" = CASE WHEN ${write} THEN ${h?.brokenSince ?? null}::timestamp(3) ELSE "brokenSince" END,
        "healthCause" = CASE WHEN ${write} THEN ${h?.healthCause ?? null}::text ELSE "healthCause" END,
        "healthCauseId" = CASE WHEN ${write} THEN ${h?.healthCauseId ?? null}::text ELSE "healthCauseId" END,
        "lastVerifiedAt" = CASE WHEN ${write} THEN ${h?.lastVerifiedAt ?? null}::timestamp(3) ELSE "lastVerifiedAt" END,
        "healthChangedAt" = COALESCE(${h?.healthChangedAt ?? null}::timestamp(3), "healthChangedAt"),
        "updatedAt" = ${now}
      WHERE "id" = ${environmentId}::uuid AND "tenantId" = ${tenantId}::uuid AND ${when}
      RETURNING "latestCheckOutcome", "latestCheckAt", "latestFailingStep", "health", "brokenSince"
    ),
    -- The tenant's environments as this statement leaves them (its own sub-statements see the rows before it).
    environments AS (
      SELECT "latestCheckOutcome", "latestCheckAt", "latestFailingStep", "health", "brokenSince" FROM "Environment"
      WHERE "tenantId" = ${tenantId}::uuid AND "id" <> ${environmentId}::uuid
      UNION ALL SELECT * FROM env
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
    ),
    prior AS (SELECT "consentState" FROM "Tenant" WHERE "id" = ${tenantId}::uuid),
    tenant AS (
      UPDATE "Tenant" SET
        "latestCheckOutcome" = (SELECT "latestCheckOutcome" FROM worst),
        "latestFailingStep" = (SELECT "latestFailingStep" FROM worst),
        "latestCheckAt" = rolled."latestCheckAt",
        "health" = rolled."health",
        "brokenSince" = rolled."brokenSince",
        "consentState" = CASE WHEN ${events.revokeConsent} AND prior."consentState" = 'GRANTED' THEN 'REVOKED'::"ConsentState" ELSE prior."consentState" END,
        "updatedAt" = ${now}
      FROM rolled, prior
      WHERE "Tenant"."id" = ${tenantId}::uuid AND EXISTS (SELECT 1 FROM env)
      RETURNING ${events.revokeConsent} AND prior."consentState" = 'GRANTED' AS "consentRevoked"
    ),
    consent_audited AS (${consentAudited} RETURNING 1),
    audited AS (${audited} RETURNING 1)`;
}

/**
 * What a check's end decides from, read by the statement that started it (startCheck): enough to end it in ONE
 * statement (endCheckAsStarted) while the environment is as it was read (its updatedAt) and so is the tenant's
 * consent proof.
 */
export type StartFacts = {
  environmentId: string;
  startedAt: Date;
  environmentUpdatedAt: Date;
  environment: HealthFacts["environment"];
  tenant: HealthFacts["tenant"];
};

/**
 * A check's whole end in ONE statement, decided (lib/checks/finish.ts) from the facts its start read: written only
 * while the environment (locked) and the tenant's consent proof are as they were read, else nothing is written
 * and it returns null, and the end is read and written again in a transaction (inCheckEndTransaction). The check's
 * end is on the path of every check a person waits for and of every scheduled one: as Prisma calls it was eight
 * statements and a fresh query plan, as a transaction it is four round trips (scripts/bench/check.ts, issue 25).
 */
export async function endCheckAsStarted(
  scope: TenantScope,
  start: StartFacts,
  end: CheckEndWrite,
  env: EnvironmentEnd,
  events: EndEvents,
): Promise<{ consentRevoked: boolean } | null> {
  const { tenantId } = scope;
  const unchanged = Prisma.sql`EXISTS (SELECT 1 FROM unchanged)`;
  const [row] = await db().$queryRaw<Array<{ applied: boolean; consentRevoked: boolean | null }>>`
    WITH unchanged AS (
      SELECT e."id" FROM "Environment" e JOIN "Tenant" t ON t."id" = e."tenantId"
      WHERE e."id" = ${start.environmentId}::uuid AND e."tenantId" = ${tenantId}::uuid AND e."updatedAt" = ${start.environmentUpdatedAt}
        AND t."consentVerifiedAt" IS NOT DISTINCT FROM ${start.tenant.consentVerifiedAt}::timestamp(3)
      FOR UPDATE OF e
    ),
    ${checkEndWrites(tenantId, end, unchanged)},
    ${environmentEndWrites(scope, start.environmentId, env, events, end.finishedAt, unchanged)}
    SELECT EXISTS (SELECT 1 FROM env) AND EXISTS (SELECT 1 FROM ended) AS "applied", (SELECT "consentRevoked" FROM tenant) AS "consentRevoked"`;
  return row?.applied ? { consentRevoked: row.consentRevoked === true } : null;
}

/**
 * The rows a check's end reads and writes in a transaction (lib/checks/finish.ts runs it and decides everything in
 * between), when it cannot end as started: two statements, each returning facts and deciding nothing.
 */
export type CheckEndRows = ReturnType<typeof checkEndRows>;

function checkEndRows(scope: TenantScope, tx: Prisma.TransactionClient) {
  const { tenantId } = scope;
  return {
    /**
     * Writes the last steps and the check's summary, and reads what its end decides from, in ONE statement: the
     * environment (locked until the transaction ends, so two checks of one environment end one after the other), its
     * tenant, and the step that decided the outcome (the failing one, else the first that warned).
     */
    async endCheck(end: CheckEndWrite): Promise<{ environmentId: string; startedAt: Date; facts: HealthFacts }> {
      const { checkId, result, lastSteps } = end;
      const { outcome, failingStep } = result;
      const rows = await tx.$queryRaw<CheckEndRow[]>`
        WITH ${checkEndWrites(tenantId, end, Prisma.sql`true`)}
        SELECT ended."environmentId", ended."startedAt",
          e."url", e."friendlyName", e."health", e."brokenSince", e."healthCause", e."healthCauseId",
          ${lastVerifiedAtOf(checkId)} AS "lastVerifiedAt",
          t."consentVerifiedAt", t."displayName", t."primaryDomain",
          -- A step written before this statement (an earlier round trip's) may be the deciding one; a passed check has none.
          CASE WHEN ${outcome !== "PASSED"} THEN (
            SELECT json_build_object('ordinal', st."ordinal", 'diagnosis', st."diagnosis", 'errorCode', st."errorCode",
              'customerCause', st."customerCause", 'customerFix', st."customerFix")
            FROM "CheckStep" st
            WHERE st."checkId" = ${checkId}::uuid AND st."tenantId" = ${tenantId}::uuid
              AND CASE WHEN ${failingStep}::text IS NULL THEN st."outcome" = 'WARNING' ELSE st."name" = ${failingStep}::text END
            ORDER BY st."ordinal" LIMIT 1
          ) END AS "earlierDecidingStep"
        FROM ended
        JOIN "Environment" e ON e."id" = ended."environmentId" AND e."tenantId" = ${tenantId}::uuid
        JOIN "Tenant" t ON t."id" = e."tenantId"
        FOR UPDATE OF e`;
      const row = rows[0];
      if (!row) throw new Error(`The check ${checkId} or its environment is gone.`);
      const {
        environmentId,
        startedAt,
        earlierDecidingStep,
        consentVerifiedAt,
        displayName,
        primaryDomain,
        ...environment
      } = row;
      // The deciding step written earlier (found above), or among the last ones, whichever comes first.
      const last = decidingStepOf(lastSteps, outcome, failingStep);
      const step =
        earlierDecidingStep && (!last || earlierDecidingStep.ordinal < last.ordinal) ? earlierDecidingStep : last;
      return {
        environmentId,
        startedAt,
        facts: {
          environment,
          tenant: { consentVerifiedAt, displayName, primaryDomain },
          decidingStep: decidingFacts(step),
        },
      };
    },

    /** The environment's new state, the tenant's roll-up, the consent and the audit rows, in ONE statement. */
    async writeEnd(
      environmentId: string,
      env: EnvironmentEnd,
      events: EndEvents,
      now: Date,
    ): Promise<{ consentRevoked: boolean }> {
      const [row] = await tx.$queryRaw<Array<{ consentRevoked: boolean | null }>>`
        WITH ${environmentEndWrites(scope, environmentId, env, events, now, Prisma.sql`true`)}
        SELECT (SELECT "consentRevoked" FROM tenant) AS "consentRevoked"`;
      return { consentRevoked: row?.consentRevoked === true };
    },
  };
}

/**
 * The start of the environment's last check that passed or only warned (not `checkId`): lastVerifiedAt, else, for an
 * environment whose working checks predate that column (seeded, or checked before it existed), its history, read
 * only then (COALESCE).
 */
function lastVerifiedAtOf(checkId: string | null): Prisma.Sql {
  return Prisma.sql`COALESCE(e."lastVerifiedAt", (
    SELECT c."startedAt" FROM "ConnectionCheck" c
    WHERE c."tenantId" = e."tenantId" AND c."environmentId" = e."id" AND c."id" IS DISTINCT FROM ${checkId}::uuid AND c."outcome" IN ('PASSED', 'WARNING')
    ORDER BY c."startedAt" DESC LIMIT 1
  ))`;
}

/** Runs `work` on a check's end rows in one transaction. */
export function inCheckEndTransaction<T>(scope: TenantScope, work: (rows: CheckEndRows) => Promise<T>): Promise<T> {
  return db().$transaction((tx) => work(checkEndRows(scope, tx)));
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
): Promise<
  | { restarted: true; environmentUrl: string }
  | { restarted: false; outcome: CheckOutcome }
  | { restarted: false; gone: true }
> {
  const { tenantId, actor } = scope;
  return db().$transaction(async (tx) => {
    const reset = await tx.connectionCheck.updateManyAndReturn({
      where: { id: checkId, tenantId, outcome: "RUNNING" },
      data: { currentStep: firstStep, waitingUntil: null },
      select: { environment: { select: { url: true } } },
    });
    if (reset.length === 0) {
      const check = await tx.connectionCheck.findFirst({ where: { id: checkId, tenantId }, select: { outcome: true } });
      // Gone with its environment (a removed environment's checks go with it).
      return check
        ? ({ restarted: false, outcome: check.outcome } as const)
        : ({ restarted: false, gone: true } as const);
    }
    await tx.checkStep.deleteMany({ where: { tenantId, checkId } });
    await audit(
      { actor, tenantId, action: "check.resumed", target: { type: "check", id: checkId }, details: { reason } },
      tx,
    );
    return { restarted: true, environmentUrl: reset[0]!.environment.url } as const;
  });
}

/** A check's prerequisites read on their own (a check begun again, not just created: lib/checks/launch.ts). */
export async function checkPrerequisites(scope: TenantScope, environmentId: string): Promise<CheckPrerequisites> {
  // One statement with the tenant's column (a relation read through Prisma is two).
  const [env] = await db().$queryRaw<CheckPrerequisites[]>`
    SELECT e."applicationUserId", t."consentVerifiedAt" IS NOT NULL AS "consentProven"
    FROM "Environment" e JOIN "Tenant" t ON t."id" = e."tenantId"
    WHERE e."id" = ${environmentId}::uuid AND e."tenantId" = ${scope.tenantId}::uuid`;
  return { applicationUserId: env?.applicationUserId ?? null, consentProven: env?.consentProven ?? false };
}

/**
 * The environment's history: the newest `take` checks people ran and the newest `take` scheduled ones
 * (lib/data/check-history.ts), in two statements side by side. Without their steps: the page lists the checks and
 * reads a check's steps when it is opened (/api/checks/<id>), so twenty checks' steps are not rendered and sent on
 * every visit (issue 25: they were two thirds of the page's 180 KB and most of its rendering time).
 */
export async function listChecks(
  scope: TenantScope,
  environmentId: string,
  take = CHECK_HISTORY_KEEP,
): Promise<HistoryCheck[]> {
  if (!GUID.test(environmentId)) return [];
  const newest = (triggers: readonly CheckTrigger[]) =>
    db().connectionCheck.findMany({
      where: { tenantId: scope.tenantId, environmentId, trigger: { in: [...triggers] } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take,
      select: historyCheckSelect,
    });
  const [person, automatic] = await Promise.all([newest(PERSON_TRIGGERS), newest(AUTOMATIC_TRIGGERS)]);
  return mergeHistories(person, automatic);
}

export type HistoryCheck = Prisma.ConnectionCheckGetPayload<{ select: typeof historyCheckSelect }>;

export async function getCheck(scope: TenantScope, checkId: string) {
  if (!GUID.test(checkId)) return null;
  return db().connectionCheck.findFirst({
    where: { id: checkId, tenantId: scope.tenantId },
    select: customerCheckSelect,
  });
}

export type CustomerCheck = NonNullable<Awaited<ReturnType<typeof getCheck>>>;

/**
 * The history's check in progress, if any: a page reloaded mid-check picks it up and follows it. The newest RUNNING
 * check not yet abandoned. A person's or a scheduled check starts only when none of its environment's is running
 * (lib/checks/launch.ts), so one in progress is the newest of its kind, and the history keeps the newest of each.
 */
export function runningCheckOf(history: Pick<HistoryCheck, "id" | "outcome" | "startedAt">[], nowMs = Date.now()) {
  const running = history.find(
    (check) => check.outcome === "RUNNING" && check.startedAt.getTime() >= nowMs - ABANDONED_CHECK_MS,
  );
  return running?.id ?? null;
}

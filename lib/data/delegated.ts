import "server-only";

// Incremental-consent round trips, Global Discovery listings and "Set it up for me" runs of one tenant.
// Everything here is within a TenantScope and bound to the portal session that started it.
import { z } from "zod";
import { audit } from "@/lib/audit";
import { PRIVILEGE_DEPTHS } from "@/lib/checks/vocabulary";
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";
import type { DiscoveredInstance } from "@/lib/dataverse/global-discovery";
import type { Approval, SetupDecision, SetupStep } from "@/lib/dataverse/provisioning";
import { hashToken, newOpaqueToken } from "@/lib/tokens";
import type { DelegatedPurpose, Prisma, SetupOutcome } from "@/lib/generated/prisma/client";

/** The round trip through Microsoft's sign-in (and perhaps a consent screen). */
const DELEGATED_STATE_TTL_MS = 15 * 60 * 1000;
/** How long a listing of environments can be picked from. */
const DISCOVERY_TTL_MS = 30 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startDelegatedAuthorization(
  scope: TenantScope,
  sessionId: string,
  request: { purpose: DelegatedPurpose; environmentId: string | null; approvals: Approval[]; codeVerifier: string },
): Promise<string> {
  const state = newOpaqueToken();
  await db().delegatedAuthorization.create({
    data: {
      tenantId: scope.tenantId,
      stateHash: hashToken(state),
      sessionId,
      purpose: request.purpose,
      environmentId: request.environmentId,
      approvals: request.approvals,
      codeVerifier: request.codeVerifier,
      expiresAt: new Date(Date.now() + DELEGATED_STATE_TTL_MS),
    },
  });
  return state;
}

export type RedeemedAuthorization = {
  id: string;
  purpose: DelegatedPurpose;
  environmentId: string | null;
  approvals: Approval[];
  codeVerifier: string;
};

/**
 * Redeems a `state` that came back from Microsoft: only for the session that started it, once, before it
 * expires. The PKCE verifier is erased as it is handed out. Null (and nothing changed) otherwise.
 */
export async function redeemDelegatedAuthorization(
  scope: TenantScope,
  sessionId: string,
  state: string,
): Promise<RedeemedAuthorization | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(state)) return null;
  const now = new Date();
  const found = await db().delegatedAuthorization.findFirst({
    where: { stateHash: hashToken(state), tenantId: scope.tenantId, sessionId, usedAt: null, expiresAt: { gt: now } },
    select: { id: true, purpose: true, environmentId: true, approvals: true, codeVerifier: true },
  });
  if (!found?.codeVerifier) return null;
  const won = await db().delegatedAuthorization.updateMany({
    where: { id: found.id, usedAt: null },
    data: { usedAt: now, codeVerifier: null },
  });
  if (won.count !== 1) return null;
  return {
    id: found.id,
    purpose: found.purpose,
    environmentId: found.environmentId,
    approvals: found.approvals as Approval[],
    codeVerifier: found.codeVerifier,
  };
}

// ------------------------------------------------------------------ Global Discovery listings

const storedInstance = z.object({
  id: z.string(),
  friendlyName: z.string(),
  url: z.string(),
  region: z.string().nullable(),
  type: z.string(),
  tenantId: z.string(),
  isUserSysAdmin: z.boolean().nullable(),
});

/** Saves what Global Discovery listed (or why it could not), for this session to pick from. */
export async function saveDiscovery(
  scope: TenantScope,
  sessionId: string,
  outcome: { instances: DiscoveredInstance[]; diagnosis: SetupDiagnosis | null },
): Promise<string> {
  const saved = await db().environmentDiscovery.create({
    data: {
      tenantId: scope.tenantId,
      sessionId,
      instances: outcome.instances as unknown as Prisma.InputJsonValue,
      diagnosis: (outcome.diagnosis ?? undefined) as Prisma.InputJsonValue | undefined,
      expiresAt: new Date(Date.now() + DISCOVERY_TTL_MS),
    },
    select: { id: true },
  });
  await audit({
    actor: scope.actor,
    tenantId: scope.tenantId,
    action: outcome.diagnosis ? "environments.discovery-failed" : "environments.discovered",
    target: { type: "environment-discovery", id: saved.id },
    details: outcome.diagnosis
      ? { diagnosis: outcome.diagnosis.id, code: outcome.diagnosis.code }
      : { count: outcome.instances.length },
  });
  return saved.id;
}

export type Discovery = {
  id: string;
  createdAt: Date;
  instances: DiscoveredInstance[];
  usedInstanceIds: string[];
  diagnosis: SetupDiagnosis | null;
};

/** This session's listing, while it is fresh; null for another session's, an expired or a made-up id. */
export async function getDiscovery(
  scope: TenantScope,
  sessionId: string,
  discoveryId: string,
): Promise<Discovery | null> {
  if (!UUID.test(discoveryId)) return null;
  const found = await db().environmentDiscovery.findFirst({
    where: { id: discoveryId, tenantId: scope.tenantId, sessionId, expiresAt: { gt: new Date() } },
    select: { id: true, createdAt: true, instances: true, usedInstanceIds: true, diagnosis: true },
  });
  if (!found) return null;
  const instances = z.array(storedInstance).safeParse(found.instances);
  return {
    id: found.id,
    createdAt: found.createdAt,
    instances: instances.success ? instances.data : [],
    usedInstanceIds: found.usedInstanceIds,
    diagnosis: (found.diagnosis as SetupDiagnosis | null) ?? null,
  };
}

/** Marks one instance of a listing as used; false when it already was (a replayed choice). */
export async function markInstanceUsed(scope: TenantScope, discoveryId: string, instanceId: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const found = await tx.environmentDiscovery.findFirst({
      where: { id: discoveryId, tenantId: scope.tenantId },
      select: { usedInstanceIds: true },
    });
    if (!found || found.usedInstanceIds.includes(instanceId)) return false;
    await tx.environmentDiscovery.update({
      where: { id: discoveryId },
      data: { usedInstanceIds: { push: instanceId } },
    });
    return true;
  });
}

// ------------------------------------------------------------------ setup runs

export type SetupDiagnosis = { id: string; cause: string; fix: string; whoCanFix: string; code: string | null };

// A setup run's JSON columns, as the check's steps are (lib/checks/step-results.ts): parsed when written (a wrong
// shape is a bug, caught there) and when read, with safeParse, so that a row an older version wrote in another
// shape reads as having none instead of failing the environment's page. The stored JSON is unchanged.
const storedPrivilege = z.strictObject({ name: z.string(), depth: z.enum(PRIVILEGE_DEPTHS) });
const storedSetupSteps = z.array(
  z.union([
    z.strictObject({
      action: z.enum(["role", "privileges", "application-user", "assignment"]),
      result: z.enum(["created", "changed", "unchanged", "needs-decision"]),
      detail: z.string(),
    }),
    // The action that failed, with the diagnosis' cause.
    z.strictObject({ action: z.string(), result: z.literal("failed"), detail: z.string() }),
  ]),
) satisfies z.ZodType<SetupRecord["steps"]>;
const storedSetupDiagnosis = z.strictObject({
  id: z.string(),
  cause: z.string(),
  fix: z.string(),
  whoCanFix: z.string(),
  code: z.string().nullable(),
}) satisfies z.ZodType<SetupDiagnosis>;
const storedSetupDecision = z.union([
  z.strictObject({
    kind: z.literal("role-differs"),
    missing: z.array(storedPrivilege),
    extra: z.array(storedPrivilege),
  }),
  z.strictObject({ kind: z.literal("user-disabled") }),
]) satisfies z.ZodType<SetupDecision>;

/** A stored value read with its schema: null when there is none, or none in a shape this version knows. */
function readStored<T>(schema: z.ZodType<T>, stored: unknown): T | null {
  const parsed = stored == null ? null : schema.safeParse(stored);
  return parsed?.success ? parsed.data : null;
}

export type SetupRecord = {
  environmentId: string;
  outcome: SetupOutcome;
  steps: (SetupStep | { action: string; result: "failed"; detail: string })[];
  diagnosis: SetupDiagnosis | null;
  decision: SetupDecision | null;
  roleId: string | null;
  applicationUserId: string | null;
  checkId: string | null;
  /** What changed in the customer's environment, one audit event each. */
  changes: { action: string; details: Record<string, unknown> }[];
};

export async function recordSetup(scope: TenantScope, record: SetupRecord): Promise<string> {
  return db().$transaction(async (tx) => {
    const created = await tx.environmentSetup.create({
      data: {
        tenantId: scope.tenantId,
        environmentId: record.environmentId,
        startedByObjectId: scope.actor.kind === "SYSTEM" ? null : scope.actor.objectId,
        startedByName: scope.actor.kind === "SYSTEM" ? null : scope.actor.name,
        outcome: record.outcome,
        steps: storedSetupSteps.parse(record.steps),
        diagnosis: record.diagnosis ? storedSetupDiagnosis.parse(record.diagnosis) : undefined,
        decision: record.decision ? storedSetupDecision.parse(record.decision) : undefined,
        roleId: record.roleId,
        applicationUserId: record.applicationUserId,
        checkId: record.checkId,
      },
      select: { id: true },
    });
    const target = { type: "environment", id: record.environmentId };
    for (const change of record.changes) {
      await audit(
        {
          actor: scope.actor,
          tenantId: scope.tenantId,
          action: change.action,
          target,
          details: { setupId: created.id, ...change.details },
        },
        tx,
      );
    }
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "setup.finished",
        target,
        details: { setupId: created.id, outcome: record.outcome, diagnosis: record.diagnosis?.id ?? null },
      },
      tx,
    );
    return created.id;
  });
}

export async function attachCheckToSetup(scope: TenantScope, setupId: string, checkId: string): Promise<void> {
  await db().environmentSetup.updateMany({ where: { id: setupId, tenantId: scope.tenantId }, data: { checkId } });
}

export const setupSelect = {
  id: true,
  startedAt: true,
  startedByName: true,
  outcome: true,
  steps: true,
  diagnosis: true,
  decision: true,
  roleId: true,
  applicationUserId: true,
  checkId: true,
} as const;

/** A setup run as read: its steps, diagnosis and decision typed (none, when stored in a shape this version does not know). */
export function readSetup<S extends { steps: unknown; diagnosis: unknown; decision: unknown }>(setup: S) {
  return {
    ...setup,
    steps: readStored(storedSetupSteps, setup.steps) ?? [],
    diagnosis: readStored(storedSetupDiagnosis, setup.diagnosis),
    decision: readStored(storedSetupDecision, setup.decision),
  };
}

export async function getSetup(scope: TenantScope, setupId: string) {
  if (!UUID.test(setupId)) return null;
  const setup = await db().environmentSetup.findFirst({
    where: { id: setupId, tenantId: scope.tenantId },
    select: { ...setupSelect, environmentId: true },
  });
  return setup && readSetup(setup);
}

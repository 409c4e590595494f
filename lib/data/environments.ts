import "server-only";

// A tenant's Dataverse environments and their check history, always within one tenant's scope.
import { audit } from "@/lib/audit";
import { customerCheckSelect } from "@/lib/data/checks";
import { readSetup, setupSelect } from "@/lib/data/delegated";
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";
import type { EnvironmentUrl } from "@/lib/dataverse/environment-url";
import { Prisma } from "@/lib/generated/prisma/client";
import { GUID } from "@/lib/validators";

export type RegisterResult = { ok: true; id: string } | { ok: false; reason: "duplicate-own" | "duplicate-other" };

export async function registerEnvironment(
  scope: TenantScope,
  env: EnvironmentUrl,
  friendlyName: string | null,
): Promise<RegisterResult> {
  try {
    const id = await db().$transaction(async (tx) => {
      const created = await tx.environment.create({
        data: {
          tenantId: scope.tenantId,
          url: env.url,
          cloud: env.cloud,
          friendlyName,
          registeredByObjectId: scope.actor.kind === "SYSTEM" ? null : scope.actor.objectId,
          registeredByName: scope.actor.kind === "SYSTEM" ? null : scope.actor.name,
        },
        select: { id: true },
      });
      await audit(
        {
          actor: scope.actor,
          tenantId: scope.tenantId,
          action: "environment.registered",
          target: { type: "environment", id: created.id },
          details: { url: env.url },
        },
        tx,
      );
      return created.id;
    });
    return { ok: true, id };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await db().environment.findUnique({ where: { url: env.url }, select: { tenantId: true } });
      return { ok: false, reason: existing?.tenantId === scope.tenantId ? "duplicate-own" : "duplicate-other" };
    }
    throw error;
  }
}

/** An environment as its pages show it: where it is, who registered it, its latest check and its health. */
export const environmentSelect = {
  id: true,
  url: true,
  friendlyName: true,
  cloud: true,
  createdAt: true,
  registeredByName: true,
  latestCheckId: true,
  latestCheckOutcome: true,
  latestCheckAt: true,
  latestFailingStep: true,
  health: true,
  brokenSince: true,
  healthCause: true,
  healthCauseId: true,
  lastVerifiedAt: true,
} satisfies Prisma.EnvironmentSelect;

export async function getEnvironment(scope: TenantScope, environmentId: string) {
  if (!GUID.test(environmentId)) return null;
  return db().environment.findFirst({
    where: { id: environmentId, tenantId: scope.tenantId },
    select: environmentSelect,
  });
}

/**
 * What an environment's page leads with, in one statement (Prisma's relationJoins: lateral joins): the
 * environment, the check that set its state with that check's steps (the cause and fix), and its latest setup run.
 * Read apart, these were three statements on every view of the page (issue 25).
 */
export async function getEnvironmentWithLatest(scope: TenantScope, environmentId: string) {
  if (!GUID.test(environmentId)) return null;
  const found = await db().environment.findFirst({
    where: { id: environmentId, tenantId: scope.tenantId },
    select: {
      ...environmentSelect,
      latestCheck: { select: customerCheckSelect },
      setups: { orderBy: { startedAt: "desc" }, take: 1, select: setupSelect },
    },
  });
  if (!found) return null;
  const { latestCheck, setups, ...environment } = found;
  return { environment, latestCheck, latestSetup: setups[0] ? readSetup(setups[0]) : null };
}

export async function removeEnvironment(scope: TenantScope, environmentId: string): Promise<boolean> {
  if (!GUID.test(environmentId)) return false;
  return db().$transaction(async (tx) => {
    const env = await tx.environment.findFirst({
      where: { id: environmentId, tenantId: scope.tenantId },
      select: { id: true, url: true },
    });
    if (!env) return false;
    await tx.environment.delete({ where: { id: env.id } });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: "environment.removed",
        target: { type: "environment", id: env.id },
        details: { url: env.url },
      },
      tx,
    );
    return true;
  });
}

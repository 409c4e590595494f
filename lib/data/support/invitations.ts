import "server-only";

// Invitation links, as support staff create and track them. The customer side (the consent page reading a
// link, a first sign-in binding it to the new tenant) is lib/data/invitations.ts and lib/data/sessions.ts.
import { audit, type Actor } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { STAGE_LABELS, type Stage } from "@/lib/data/support/tenant-filters";
import { stageOf } from "@/lib/data/support/tenants";
import { hashToken, newOpaqueToken } from "@/lib/tokens";
import { GUID } from "@/lib/validators";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A support engineer as the audit trail records them (their home-tenant identity). */
export type StaffActor = Actor & { kind: "STAFF"; tenantId: string; objectId: string; name: string | null };

export type NewInvitation = {
  tenantHint: string | null;
  note: string | null;
  expiresInDays: number;
  customerReference?: string | null;
};

/** Creates an invitation; the raw token is returned once (only its hash is stored). */
export async function createInvitation(
  actor: StaffActor,
  input: NewInvitation,
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newOpaqueToken();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  const id = await db().$transaction(async (tx) => {
    const created = await tx.invitation.create({
      data: {
        tokenHash: hashToken(token),
        tenantHint: input.tenantHint,
        note: input.note,
        customerReference: input.customerReference ?? null,
        createdByObjectId: actor.objectId,
        createdByName: actor.name,
        createdAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await audit(
      {
        actor,
        tenantId: null,
        action: "invitation.created",
        target: { type: "invitation", id: created.id },
        details: {
          tenantHint: input.tenantHint,
          customerReference: input.customerReference ?? null,
          expiresAt: expiresAt.toISOString(),
        },
      },
      tx,
    );
    return created.id;
  });
  return { id, token, expiresAt };
}

export type KnownTenant = {
  id: string;
  name: string;
  stage: Stage;
  stageLabel: string;
  customerReference: string | null;
};

/**
 * The organisation an invitation's tenant hint (a tenant id or a domain) already names, if the portal knows it:
 * staff are warned at creation that the link will go to a tenant that exists (and what it will change there).
 */
export async function knownTenantForHint(hint: string | null): Promise<KnownTenant | null> {
  if (!hint) return null;
  const value = hint.trim().toLowerCase();
  const tenant = await db().tenant.findFirst({
    where: GUID.test(value) ? { id: value } : { primaryDomain: value },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      displayName: true,
      primaryDomain: true,
      customerReference: true,
      consentState: true,
      latestCheckOutcome: true,
      disconnectedAt: true,
      _count: { select: { environments: true } },
    },
  });
  if (!tenant) return null;
  const stage = stageOf({ ...tenant, environmentCount: tenant._count.environments });
  return {
    id: tenant.id,
    name: tenant.displayName ?? tenant.primaryDomain ?? tenant.id,
    stage,
    stageLabel: STAGE_LABELS[stage],
    customerReference: tenant.customerReference,
  };
}

export type InvitationStatus = "open" | "used" | "expired" | "revoked";

export function invitationStatus(
  i: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now = new Date(),
): InvitationStatus {
  if (i.usedAt) return "used";
  if (i.revokedAt) return "revoked";
  return i.expiresAt <= now ? "expired" : "open";
}

export async function listInvitations(take = 100) {
  const rows = await db().invitation.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      tenantHint: true,
      note: true,
      customerReference: true,
      createdByName: true,
      createdAt: true,
      expiresAt: true,
      revokedAt: true,
      usedAt: true,
      usedByTenantId: true,
    },
  });
  // The tenant that used it, new or already known (a known one keeps the invitation it first arrived with).
  const usedByIds = [...new Set(rows.flatMap((r) => (r.usedByTenantId ? [r.usedByTenantId] : [])))];
  const tenants = usedByIds.length
    ? await db().tenant.findMany({
        where: { id: { in: usedByIds } },
        select: { id: true, displayName: true, primaryDomain: true },
      })
    : [];
  const byId = new Map(tenants.map((t) => [t.id, t]));
  return rows.map((row) => ({
    ...row,
    usedBy: (row.usedByTenantId ? byId.get(row.usedByTenantId) : undefined) ?? null,
    status: invitationStatus(row),
  }));
}

export type InvitationRow = Awaited<ReturnType<typeof listInvitations>>[number];

/** Withdraws a link that has not been used. false when there is no such open invitation. */
export async function revokeInvitation(actor: StaffActor, invitationId: string, now = new Date()): Promise<boolean> {
  if (!GUID.test(invitationId)) return false;
  return db().$transaction(async (tx) => {
    // Conditional update: a link used (or revoked) a moment ago stays as it is.
    const result = await tx.invitation.updateMany({
      where: { id: invitationId, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    if (result.count === 0) return false;
    await audit(
      { actor, tenantId: null, action: "invitation.revoked", target: { type: "invitation", id: invitationId } },
      tx,
    );
    return true;
  });
}

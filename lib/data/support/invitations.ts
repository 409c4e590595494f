import "server-only";

// Invitation links, as support staff create and track them. The customer side (the consent page reading a
// link, a first sign-in binding it to the new tenant) is lib/data/invitations.ts and lib/data/sessions.ts.
import { audit, type Actor } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { hashToken, newOpaqueToken } from "@/lib/tokens";
import { GUID } from "@/lib/validators";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A support engineer as the audit trail records them (their home-tenant identity). */
export type StaffActor = Actor & { kind: "STAFF"; tenantId: string; objectId: string; name: string | null };

export type NewInvitation = { tenantHint: string | null; note: string | null; expiresInDays: number; customerReference?: string | null };

/** Creates an invitation; the raw token is returned once (only its hash is stored). */
export async function createInvitation(actor: StaffActor, input: NewInvitation, now = new Date()): Promise<{ id: string; token: string; expiresAt: Date }> {
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
      { actor, tenantId: null, action: "invitation.created", target: { type: "invitation", id: created.id }, details: { tenantHint: input.tenantHint, customerReference: input.customerReference ?? null, expiresAt: expiresAt.toISOString() } },
      tx,
    );
    return created.id;
  });
  return { id, token, expiresAt };
}

export type InvitationStatus = "open" | "used" | "expired" | "revoked";

export function invitationStatus(i: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()): InvitationStatus {
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
      tenants: { select: { id: true, displayName: true, primaryDomain: true }, take: 1 },
    },
  });
  return rows.map(({ tenants, ...row }) => ({ ...row, usedBy: tenants[0] ?? null, status: invitationStatus(row) }));
}

export type InvitationRow = Awaited<ReturnType<typeof listInvitations>>[number];

/** Withdraws a link that has not been used. false when there is no such open invitation. */
export async function revokeInvitation(actor: StaffActor, invitationId: string, now = new Date()): Promise<boolean> {
  if (!GUID.test(invitationId)) return false;
  return db().$transaction(async (tx) => {
    // Conditional update: a link used (or revoked) a moment ago stays as it is.
    const result = await tx.invitation.updateMany({ where: { id: invitationId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    if (result.count === 0) return false;
    await audit({ actor, tenantId: null, action: "invitation.revoked", target: { type: "invitation", id: invitationId } }, tx);
    return true;
  });
}

import "server-only";

// Server-side sign-in sessions. The cookie (next-auth's encrypted JWT) only carries the session id; the
// row decides whether the session is still valid, so sign-out and expiry hold even for a copied cookie.
import { audit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import type { Prisma, TenantSource } from "@/lib/generated/prisma/client";
import { GUID } from "@/lib/validators";

export type SessionProfile = {
  tenantId: string;
  objectId: string;
  name: string | null;
  userPrincipalName: string | null;
  kind: "staff" | "customer";
  roles: string[];
  /** Holds an administrator directory role of its tenant (lib/auth/customer-roles.ts). */
  tenantAdmin: boolean;
  /** When the user last authenticated at Entra ID (the ID token's auth_time); default: now, the sign-in itself. */
  authenticatedAt?: Date;
};

export type SignInOrigin = { source: TenantSource; sourceTag: string | null; invitationId: string | null };

export type PortalSessionView = {
  id: string;
  kind: "staff" | "customer";
  /** Entra tenant of the signed-in user. */
  entraTenantId: string;
  /** The customer tenant this session may see; null for staff. */
  tenantId: string | null;
  userObjectId: string;
  userName: string | null;
  userPrincipalName: string | null;
  appRoles: string[];
  /** May change its tenant's connection (consent, environments, checks, disconnect); otherwise reads only. */
  tenantAdmin: boolean;
  /** When the user last authenticated at Entra ID: destructive and setup actions want it recent (lib/auth/session.ts). */
  authenticatedAt: Date;
  expiresAt: Date;
};

const domainOf = (upn: string | null) => (upn && upn.includes("@") ? upn.split("@").pop()!.toLowerCase() : null);

export async function startSession(
  profile: SessionProfile,
  origin: SignInOrigin,
  maxAgeSeconds: number,
): Promise<string> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + maxAgeSeconds * 1000);
  const actor = {
    kind: profile.kind === "staff" ? ("STAFF" as const) : ("CUSTOMER" as const),
    tenantId: profile.tenantId,
    objectId: profile.objectId,
    name: profile.name,
  };
  return db().$transaction(async (tx) => {
    let tenantId: string | null = null;
    if (profile.kind === "customer") {
      tenantId = profile.tenantId;
      const existing = await tx.tenant.findUnique({
        where: { id: tenantId },
        select: { id: true, disconnectedAt: true, customerReference: true },
      });
      if (existing?.disconnectedAt && !profile.tenantAdmin) {
        // Only an administrator brings a disconnected tenant back; its other users sign in to a tenant that stays
        // disconnected (the overview says who disconnected it and when, and to ask an administrator).
        await tx.tenant.update({ where: { id: tenantId }, data: { lastSignInAt: now } });
      } else if (existing?.disconnectedAt) {
        // A tenant that disconnected comes back: it starts from nothing (its data went with the disconnection).
        await tx.tenant.update({
          where: { id: tenantId },
          data: { lastSignInAt: now, disconnectedAt: null, disconnectedByName: null, disconnectedByObjectId: null },
        });
        await audit(
          {
            actor,
            tenantId,
            action: "tenant.reconnected",
            target: { type: "tenant", id: tenantId },
            details: { disconnectedAt: existing.disconnectedAt.toISOString() },
          },
          tx,
        );
      } else if (existing) {
        await tx.tenant.update({ where: { id: tenantId }, data: { lastSignInAt: now } });
      }
      if (existing) {
        // An invitation used by an organisation already known: used up all the same (never left "Open" for another
        // organisation to take), and the reference it carries is what staff meant this organisation to have.
        const invitation = origin.invitationId ? await claimInvitation(tx, origin.invitationId, tenantId, now) : null;
        if (invitation) {
          await audit(
            {
              actor,
              tenantId,
              action: "invitation.used",
              target: { type: "invitation", id: invitation.id },
              details: { knownTenant: true },
            },
            tx,
          );
          if (invitation.customerReference && invitation.customerReference !== existing.customerReference) {
            await tx.tenant.update({
              where: { id: tenantId },
              data: { customerReference: invitation.customerReference },
            });
            await audit(
              {
                actor,
                tenantId,
                action: "tenant.customer_reference_set",
                target: { type: "tenant", id: tenantId },
                details: {
                  from: existing.customerReference,
                  to: invitation.customerReference,
                  invitationId: invitation.id,
                },
              },
              tx,
            );
          }
        }
      } else {
        const domain = domainOf(profile.userPrincipalName);
        const invitation = origin.invitationId ? await claimInvitation(tx, origin.invitationId, tenantId, now) : null;
        const source = invitation ? "INVITATION" : origin.source === "INVITATION" ? "DIRECT" : origin.source;
        // An invitation carrying the ISV's customer reference: the tenant arrives already matched.
        const customerReference = invitation?.customerReference ?? null;
        await tx.tenant.create({
          data: {
            id: tenantId,
            displayName: domain,
            primaryDomain: domain,
            source,
            sourceTag: origin.sourceTag,
            invitationId: invitation?.id ?? null,
            customerReference,
            firstSignInAt: now,
            lastSignInAt: now,
          },
        });
        await audit(
          {
            actor,
            tenantId,
            action: "tenant.created",
            target: { type: "tenant", id: tenantId },
            details: { source, sourceTag: origin.sourceTag, customerReference },
          },
          tx,
        );
        if (invitation) {
          await audit(
            { actor, tenantId, action: "invitation.used", target: { type: "invitation", id: invitation.id } },
            tx,
          );
        }
      }
    }
    const session = await tx.portalSession.create({
      data: {
        tenantId,
        entraTenantId: profile.tenantId,
        userObjectId: profile.objectId,
        userName: profile.name,
        userPrincipalName: profile.userPrincipalName,
        isStaff: profile.kind === "staff",
        appRoles: profile.roles,
        isTenantAdmin: profile.tenantAdmin,
        authenticatedAt: profile.authenticatedAt ?? now,
        expiresAt,
      },
      select: { id: true },
    });
    await audit(
      {
        actor,
        tenantId,
        action: "session.signed_in",
        target: { type: "session", id: session.id },
        details: {
          kind: profile.kind,
          tenantAdmin: profile.tenantAdmin,
          authenticatedAt: (profile.authenticatedAt ?? now).toISOString(),
        },
      },
      tx,
    );
    return session.id;
  });
}

/**
 * An invitation binds to the first tenant that uses it: claimed conditionally, so two tenants signing in at once
 * with the same link cannot both get it. null when it is no longer open (used, revoked) — then nothing happens.
 */
async function claimInvitation(
  tx: Prisma.TransactionClient,
  invitationId: string,
  tenantId: string,
  now: Date,
): Promise<{ id: string; customerReference: string | null } | null> {
  const claimed = await tx.invitation.updateMany({
    where: { id: invitationId, usedAt: null, revokedAt: null },
    data: { usedAt: now, usedByTenantId: tenantId },
  });
  if (claimed.count !== 1) return null;
  return tx.invitation.findUniqueOrThrow({
    where: { id: invitationId },
    select: { id: true, customerReference: true },
  });
}

/** A live session, and the name of its customer's organisation (shown in the frame of every customer page). */
export type ActiveSession = PortalSessionView & {
  /** The tenant's display name, else its primary domain; null for staff and for a tenant not known yet. */
  organisation: string | null;
};

type ActiveSessionRow = Omit<PortalSessionView, "kind" | "tenantAdmin"> & {
  isStaff: boolean;
  isTenantAdmin: boolean;
  organisation: string | null;
};

/**
 * The session a cookie names, if it is still live (not signed out, not expired), with its organisation's name: one
 * statement on every signed-in request, where the name was a second read of the tenant by the customer pages' frame.
 */
export async function findActiveSession(sessionId: string, now = new Date()): Promise<ActiveSession | null> {
  if (!GUID.test(sessionId)) return null;
  const [row] = await db().$queryRaw<ActiveSessionRow[]>`
    SELECT s."id"::text AS "id", s."isStaff", s."entraTenantId"::text AS "entraTenantId", s."tenantId"::text AS "tenantId",
      s."userObjectId"::text AS "userObjectId", s."userName", s."userPrincipalName", s."appRoles", s."isTenantAdmin",
      s."authenticatedAt", s."expiresAt", COALESCE(t."displayName", t."primaryDomain") AS "organisation"
    FROM "PortalSession" s LEFT JOIN "Tenant" t ON t."id" = s."tenantId"
    WHERE s."id" = ${sessionId}::uuid AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`;
  if (!row) return null;
  return {
    id: row.id,
    kind: row.isStaff ? "staff" : "customer",
    entraTenantId: row.entraTenantId,
    tenantId: row.tenantId,
    userObjectId: row.userObjectId,
    userName: row.userName,
    userPrincipalName: row.userPrincipalName,
    appRoles: row.appRoles,
    tenantAdmin: row.isTenantAdmin,
    authenticatedAt: row.authenticatedAt,
    expiresAt: row.expiresAt,
    organisation: row.isStaff ? null : row.organisation,
  };
}

export async function endSession(session: PortalSessionView): Promise<void> {
  await db().$transaction(async (tx) => {
    const result = await tx.portalSession.updateMany({
      where: { id: session.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (result.count === 0) return;
    await audit(
      {
        actor: {
          kind: session.kind === "staff" ? "STAFF" : "CUSTOMER",
          tenantId: session.entraTenantId,
          objectId: session.userObjectId,
          name: session.userName,
        },
        tenantId: session.tenantId,
        action: "session.signed_out",
        target: { type: "session", id: session.id },
      },
      tx,
    );
  });
}

import "server-only";

// Invitation links, as the public consent page sees them. Staff-side creation lives with the console.
import { db } from "@/lib/db/client";
import { hashToken } from "@/lib/tokens";

export type InvitationView =
  | { status: "valid"; tenantHint: string | null; expiresAt: Date }
  | { status: "expired" | "used" | "revoked" | "unknown" };

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export async function viewInvitation(token: string, now = new Date()): Promise<InvitationView> {
  // A malformed token cannot exist; answering without a query keeps junk out of the database layer.
  if (!TOKEN_SHAPE.test(token)) return { status: "unknown" };
  const invitation = await db().invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { tenantHint: true, expiresAt: true, usedAt: true, revokedAt: true },
  });
  if (!invitation) return { status: "unknown" };
  if (invitation.revokedAt) return { status: "revoked" };
  if (invitation.usedAt) return { status: "used" };
  if (invitation.expiresAt <= now) return { status: "expired" };
  return { status: "valid", tenantHint: invitation.tenantHint, expiresAt: invitation.expiresAt };
}

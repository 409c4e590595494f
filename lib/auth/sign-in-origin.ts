import "server-only";

// Where a customer came from (AppSource listing, an invitation, or directly), carried across the Microsoft
// sign-in redirect in a short-lived HttpOnly cookie and recorded with the tenant at its first sign-in.
import { cookies } from "next/headers";
import { z } from "zod";
import { db } from "@/lib/db/client";
import type { SignInOrigin } from "@/lib/data/sessions";
import { hashToken } from "@/lib/tokens";

const COOKIE = "onboarding_origin";

const originCookie = z.object({
  source: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/).nullable(),
  invitation: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/).nullable(),
});

export async function rememberSignInOrigin(source: string | null, invitation: string | null): Promise<void> {
  const value = originCookie.safeParse({ source, invitation });
  if (!value.success) return;
  (await cookies()).set(COOKIE, JSON.stringify(value.data), { httpOnly: true, sameSite: "lax", path: "/", maxAge: 30 * 60 });
}

export async function readSignInOrigin(): Promise<SignInOrigin> {
  const jar = await cookies();
  const raw = jar.get(COOKIE)?.value;
  if (raw) jar.delete(COOKIE);
  let parsed: z.infer<typeof originCookie> | null;
  try {
    parsed = raw ? originCookie.parse(JSON.parse(raw)) : null;
  } catch {
    parsed = null; // a tampered or stale cookie: treat the sign-in as direct
  }
  if (parsed?.invitation) {
    // Only a live invitation counts; an expired, used or revoked one makes this a direct sign-up.
    const invitation = await db().invitation.findFirst({
      where: { tokenHash: hashToken(parsed.invitation), revokedAt: null, usedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (invitation) return { source: "INVITATION", sourceTag: parsed.source, invitationId: invitation.id };
  }
  const fromAppSource = parsed?.source?.toLowerCase().startsWith("appsource") ?? false;
  return { source: fromAppSource ? "APPSOURCE" : "DIRECT", sourceTag: parsed?.source ?? null, invitationId: null };
}

import "server-only";

// Where a customer came from (AppSource listing, an invitation, or directly), carried across the Microsoft
// sign-in redirect in a short-lived HttpOnly cookie and recorded with the tenant at its first sign-in.
// The cookie never holds the invitation token (a bearer credential for the invitation): only the id of the
// live invitation row it named, sealed with an HMAC so it cannot be edited to point at another invitation.
import { createHmac, timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import { z } from "zod";
import { cookieFlags, cookieName } from "@/lib/auth/cookies";
import { config, servedOverHttps } from "@/lib/config";
import { db } from "@/lib/db/client";
import type { SignInOrigin } from "@/lib/data/sessions";
import { hashToken } from "@/lib/tokens";

export const ORIGIN_COOKIE = "onboarding_origin";
const MAX_AGE_SECONDS = 30 * 60;

const SOURCE = /^[A-Za-z0-9._-]{1,40}$/;
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

const reference = z.object({
  source: z.string().regex(SOURCE).nullable(),
  invitationId: z.uuid().nullable(),
  /** Epoch seconds; the cookie's Max-Age is only advice to the browser. */
  exp: z.number().int(),
});
export type OriginReference = z.infer<typeof reference>;

const mac = (payload: string, secret: string) =>
  createHmac("sha256", secret).update(`${ORIGIN_COOKIE}:${payload}`).digest();

export function sealOriginReference(value: OriginReference, secret: string): string {
  const payload = Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${payload}.${mac(payload, secret).toString("base64url")}`;
}

/** The reference, or null when the value is malformed, tampered with or expired. */
export function openOriginReference(raw: string, secret: string, now = Date.now()): OriginReference | null {
  const [payload, signature, extra] = raw.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const expected = mac(payload, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = reference.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return parsed.success && parsed.data.exp * 1000 > now ? parsed.data : null;
  } catch {
    return null;
  }
}

const liveInvitation = { revokedAt: null, usedAt: null } as const;

export async function rememberSignInOrigin(source: string | null, invitationToken: string | null): Promise<void> {
  const c = config();
  const secure = servedOverHttps(c);
  const jar = await cookies();
  const name = cookieName(ORIGIN_COOKIE, secure);
  const validSource = source && SOURCE.test(source) ? source : null;
  // Only a live invitation is worth remembering; anything else makes this a direct sign-up anyway.
  const invitation =
    invitationToken && INVITATION_TOKEN.test(invitationToken)
      ? await db().invitation.findFirst({
          where: { tokenHash: hashToken(invitationToken), ...liveInvitation, expiresAt: { gt: new Date() } },
          select: { id: true },
        })
      : null;
  if (!validSource && !invitation) {
    // Nothing to carry: drop what an earlier, abandoned sign-in may have left.
    if (jar.get(name)) jar.set(name, "", { ...cookieFlags(secure), maxAge: 0 });
    return;
  }
  const exp = Math.floor(Date.now() / 1000) + MAX_AGE_SECONDS;
  jar.set(
    name,
    sealOriginReference({ source: validSource, invitationId: invitation?.id ?? null, exp }, c.sessionSecret),
    { ...cookieFlags(secure), maxAge: MAX_AGE_SECONDS },
  );
}

export async function readSignInOrigin(): Promise<SignInOrigin> {
  const c = config();
  const secure = servedOverHttps(c);
  const jar = await cookies();
  const name = cookieName(ORIGIN_COOKIE, secure);
  const raw = jar.get(name)?.value;
  // A `__Host-` cookie is only removed by a Set-Cookie with the same flags.
  if (raw !== undefined) jar.set(name, "", { ...cookieFlags(secure), maxAge: 0 });
  const parsed = raw ? openOriginReference(raw, c.sessionSecret) : null; // tampered or stale: a direct sign-in
  if (parsed?.invitationId) {
    // Still live now? An invitation used, revoked or expired meanwhile makes this a direct sign-up.
    const invitation = await db().invitation.findFirst({
      where: { id: parsed.invitationId, ...liveInvitation, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (invitation) return { source: "INVITATION", sourceTag: parsed.source, invitationId: invitation.id };
  }
  const fromAppSource = parsed?.source?.toLowerCase().startsWith("appsource") ?? false;
  return { source: fromAppSource ? "APPSOURCE" : "DIRECT", sourceTag: parsed?.source ?? null, invitationId: null };
}

import "server-only";

// The one way pages, actions and route handlers learn who is signed in. The cookie names a session; the
// database row must still be live (not signed out, not expired).
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { auth } from "@/lib/auth/next-auth";
import { config } from "@/lib/config";
import { findActiveSession, type ActiveSession, type PortalSessionView } from "@/lib/data/sessions";
import { requestOrigin } from "@/lib/request-origin";
import { safeReturnPath } from "@/lib/safe-return-path";

export const currentSession = cache(async (): Promise<ActiveSession | null> => {
  const session = await auth();
  const sid = (session as { sid?: unknown } | null)?.sid;
  return typeof sid === "string" ? findActiveSession(sid) : null;
});

/** The signed-in customer's organisation name (display name, else primary domain), read with the session row. */
export async function currentOrganisation(): Promise<string | null> {
  return (await currentSession())?.organisation ?? null;
}

export type CustomerSession = PortalSessionView & { kind: "customer"; tenantId: string };
export type StaffSession = PortalSessionView & { kind: "staff" };

const signInPath = (returnTo: string) => `/signin?returnTo=${encodeURIComponent(returnTo)}`;

/**
 * For customer pages: signed out → sign-in page; support staff → their console (they have no tenant; a staff
 * member signing in at /signin lands here first); anyone else without a tenant → 403.
 */
export async function requireCustomer(returnTo: string): Promise<CustomerSession> {
  const session = await currentSession();
  if (!session) redirect(signInPath(returnTo));
  if (isStaffWith(session, "operator")) redirect("/console");
  if (session.kind !== "customer" || !session.tenantId) forbidden();
  return session as CustomerSession;
}

/**
 * The one guard of every change to a customer tenant's connection (consent, environments, checks, disconnect):
 * only the tenant's administrators (lib/auth/customer-roles.ts) pass; its other users read only and get 403.
 */
export async function requireCustomerAdmin(returnTo: string): Promise<CustomerSession> {
  const session = await requireCustomer(returnTo);
  if (!session.tenantAdmin) forbidden();
  return session;
}

/**
 * For the support console: signed out → sign-in page; anyone without the role → 403. The admin role's actions are
 * the destructive ones: they also need a recent sign-in (requireRecentSignIn).
 */
export async function requireStaff(returnTo: string, role: "operator" | "admin" = "operator"): Promise<StaffSession> {
  const session = await currentSession();
  if (!session) redirect(signInPath(returnTo));
  if (!isStaffWith(session, role)) forbidden();
  return role === "admin" ? requireRecentSignIn(session as StaffSession, returnTo) : (session as StaffSession);
}

/** Whether the user authenticated at Entra ID within REAUTH_MAX_AGE_MINUTES. */
export function isRecentSignIn(session: Pick<PortalSessionView, "authenticatedAt">, now = new Date()): boolean {
  return now.getTime() - session.authenticatedAt.getTime() <= config().reauthMaxAgeSeconds * 1000;
}

/**
 * Destructive and setup actions: the roles and the administrator flag of a session are those of its sign-in, up to
 * SESSION_MAX_AGE_HOURS old, so these want the user to have authenticated within REAUTH_MAX_AGE_MINUTES. Otherwise
 * the user is sent to sign in again (prompt=login, max_age: docs/protocol/entra.md "Re-authentication") and comes
 * back to the page they were on (the Referer, when it is this portal's), else `returnTo`.
 */
export async function requireRecentSignIn<S extends PortalSessionView>(session: S, returnTo: string): Promise<S> {
  if (isRecentSignIn(session)) return session;
  redirect(`/signin?reauth=1&returnTo=${encodeURIComponent(await pageOfRequest(returnTo))}`);
}

/** The path of the page that made this request (its Referer on this portal's origin), else `fallback`. */
async function pageOfRequest(fallback: string): Promise<string> {
  const referer = (await headers()).get("referer");
  if (!referer) return fallback;
  try {
    const url = new URL(referer);
    if (url.origin !== new URL(await requestOrigin()).origin) return fallback;
    return safeReturnPath(`${url.pathname}${url.search}`, fallback);
  } catch {
    return fallback;
  }
}

/** A customer administrator's destructive or setup action (disconnect, remove an environment, consent, setup). */
export async function requireRecentCustomerAdmin(returnTo: string): Promise<CustomerSession> {
  return requireRecentSignIn(await requireCustomerAdmin(returnTo), returnTo);
}

export function isStaffWith(session: PortalSessionView, role: "operator" | "admin"): boolean {
  if (session.kind !== "staff") return false;
  const { supportOperatorRole, supportAdminRole } = config().entra;
  // The admin role includes everything the operator role may do.
  const accepted = role === "admin" ? [supportAdminRole] : [supportOperatorRole, supportAdminRole];
  return session.appRoles.some((r) => accepted.includes(r));
}

/** The session as a customer's, or null (staff, or no tenant) — for route handlers that answer with status codes. */
export function asCustomer(session: PortalSessionView | null): CustomerSession | null {
  return session && session.kind === "customer" && session.tenantId ? (session as CustomerSession) : null;
}

import "server-only";

// The access checks of route handlers, which answer with status codes instead of pages (pages and actions use
// requireStaff / requireCustomerAdmin, which redirect to sign-in and render app/forbidden.tsx). Each returns the
// session, or the response to send as it is.
import { NextResponse, type NextRequest } from "next/server";
import { asCustomer, currentSession, isStaffWith, type CustomerSession, type StaffSession } from "@/lib/auth/session";
import { plainPage } from "@/lib/http/plain-page";

export type RouteAccess<S> = { session: S } | { response: NextResponse };

const noStore = { "Cache-Control": "no-store" };

/** The sign-in page, coming back to `returnTo` (a path of this portal). */
function toSignIn(request: NextRequest, returnTo: string): NextResponse {
  return NextResponse.redirect(
    new URL(`/signin?returnTo=${encodeURIComponent(returnTo)}`, request.nextUrl.origin),
    303,
  );
}

/**
 * The console's routes: 401 signed out, 403 without the support role (JSON). With `signIn`, a person following a
 * link while signed out is sent to sign in instead, and comes back to the address they asked for.
 */
export async function staffForRoute(
  role: "operator" | "admin" = "operator",
  { signIn }: { signIn?: NextRequest } = {},
): Promise<RouteAccess<StaffSession>> {
  const session = await currentSession();
  if (!session) {
    if (signIn) return { response: toSignIn(signIn, `${signIn.nextUrl.pathname}${signIn.nextUrl.search}`) };
    return { response: NextResponse.json({ error: "Sign in first." }, { status: 401, headers: noStore }) };
  }
  if (!isStaffWith(session, role)) {
    return {
      response: NextResponse.json(
        { error: "The support console needs a support role in the vendor's tenant." },
        { status: 403, headers: noStore },
      ),
    };
  }
  return { session: session as StaffSession };
}

/** A customer's JSON routes: 401 signed out, 403 for an account without a tenant (support staff). */
export async function customerForRoute(): Promise<RouteAccess<CustomerSession>> {
  const session = await currentSession();
  if (!session) return { response: NextResponse.json({ error: "Sign in first." }, { status: 401 }) };
  const customer = asCustomer(session);
  if (!customer) return { response: NextResponse.json({ error: "Not available for this account." }, { status: 403 }) };
  return { session: customer };
}

/**
 * A change to a customer's tenant reached by a browser (a redirect URI, a plain form post): signed out or without a
 * tenant → sign-in, back to `returnTo`; a user who is not an administrator of the tenant → a plain 403 page that
 * says nothing changed (`refusal`) and links `back`.
 */
export async function customerAdminForRoute(
  request: NextRequest,
  { returnTo, refusal, back }: { returnTo: string; refusal: string; back: { href: string; label: string } },
): Promise<RouteAccess<CustomerSession>> {
  const session = asCustomer(await currentSession());
  if (!session) return { response: toSignIn(request, returnTo) };
  if (!session.tenantAdmin)
    return { response: plainPage(request, 403, "Only your organisation's administrators can do this", refusal, back) };
  return { session };
}

// The admin-consent redirect URI. Nothing in the query is trusted: `state` must be the single-use value this
// session created, and even a "granted" answer only starts the server-side verification (a token for the
// signed-in tenant), whatever `tenant` says.
import { NextResponse, type NextRequest } from "next/server";
import { asCustomer, currentSession } from "@/lib/auth/session";
import { customerScope } from "@/lib/data/scope";
import { inertHead, plainPage } from "@/lib/http/plain-page";
import { markConsentPending, recordConsentFailure, redeemConsentState } from "@/lib/data/tenants";
import { classifyConsentCallback } from "@/lib/onboarding/consent-callback";

export const dynamic = "force-dynamic";

// HEAD must not redeem the single-use state (lib/http/plain-page.ts).
export function HEAD() {
  return inertHead();
}

export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const session = asCustomer(await currentSession());
  if (!session) {
    // E.g. the admin used the direct (legacy) consent link: nothing to bind the answer to. After sign-in the
    // consent page checks with Microsoft whether consent is in place.
    return NextResponse.redirect(
      new URL(`/signin?returnTo=${encodeURIComponent("/onboarding/consent?result=check")}`, request.nextUrl.origin),
      303,
    );
  }
  const scope = customerScope(session);
  const state = params.get("state");
  if (state === null) {
    // The direct (legacy) consent link carries no state: nothing in this answer can be bound to a request, so
    // nothing is recorded from it; the consent page asks Microsoft itself whether consent is in place.
    // An answer with no parameters at all is what "Need admin approval" → "Return to the application" may send.
    const result = [...params.keys()].length === 0 ? "returned" : "check";
    return NextResponse.redirect(new URL(`/onboarding/consent?result=${result}`, request.nextUrl.origin), 303);
  }
  const redeemed = await redeemConsentState(scope, session.id, state);
  if (!redeemed) {
    return plainPage(
      request,
      400,
      "This consent response can't be used",
      "It does not belong to a consent request started from this browser session, it was already used, or it expired. Nothing was recorded. Start the consent again from the portal.",
      { href: "/onboarding/consent", label: "Back to admin consent" },
    );
  }
  const outcome = classifyConsentCallback(params);
  const to = (path: string) => NextResponse.redirect(new URL(path, request.nextUrl.origin), 303);
  if (outcome.kind === "granted") {
    if (outcome.tenant !== session.tenantId) {
      await recordConsentFailure(scope, redeemed.requestId, "other-tenant", { returnedTenant: outcome.tenant });
      return to(`/onboarding/consent?result=other-tenant`);
    }
    await markConsentPending(scope, redeemed.requestId);
    return to("/onboarding/consent/verify");
  }
  await recordConsentFailure(scope, redeemed.requestId, outcome.kind, {
    code: outcome.code,
    description: outcome.description,
  });
  return to(
    `/onboarding/consent?result=${outcome.kind}${outcome.code ? `&code=${encodeURIComponent(outcome.code)}` : ""}`,
  );
}

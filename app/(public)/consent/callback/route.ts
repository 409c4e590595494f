// The admin-consent redirect URI. Nothing in the query is trusted: `state` must be the single-use value this
// session created, and even a "granted" answer only starts the server-side verification (a token for the
// signed-in tenant), whatever `tenant` says.
import { NextResponse, type NextRequest } from "next/server";
import { asCustomer, currentSession } from "@/lib/auth/session";
import { customerScope } from "@/lib/data/scope";
import { NONCE_HEADER } from "@/lib/http/security-headers";
import { markConsentPending, recordConsentFailure, redeemConsentState } from "@/lib/data/tenants";
import { classifyConsentCallback } from "@/lib/onboarding/consent-callback";

export const dynamic = "force-dynamic";

function page(request: NextRequest, status: number, title: string, body: string, link: { href: string; label: string }) {
  // A deliberately plain page: it is shown for rejected callbacks, with a 4xx status, before any app chrome.
  // Its one <style> carries the request's CSP nonce (proxy.ts).
  const nonce = (request.headers.get(NONCE_HEADER) ?? "").replace(/[^A-Za-z0-9+/=]/g, "");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style nonce="${nonce}">body{font-family:"Segoe UI",system-ui,sans-serif;color:#0f172a;background:#f8fafc;margin:0}main{max-width:40rem;margin:5rem auto;padding:0 1.5rem}h1{font-size:1.6rem}p{color:#334155;line-height:1.5}a{display:inline-block;margin-top:1rem;background:#1d4ed8;color:#fff;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none;font-weight:600}</style></head>
<body><main><h1>${title}</h1><p>${body}</p><a href="${link.href}">${link.label}</a></main></body></html>`;
  return new NextResponse(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

// Without its own HEAD, Next answers HEAD with GET — and a link checker or preview fetcher sending HEAD would
// redeem the single-use state. HEAD only says the address exists.
export function HEAD() {
  return new NextResponse(null, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const session = asCustomer(await currentSession());
  if (!session) {
    // E.g. the admin used the direct (legacy) consent link: nothing to bind the answer to. After sign-in the
    // consent page checks with Microsoft whether consent is in place.
    return NextResponse.redirect(new URL(`/signin?returnTo=${encodeURIComponent("/onboarding/consent?result=check")}`, request.nextUrl.origin), 303);
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
    return page(
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
  await recordConsentFailure(scope, redeemed.requestId, outcome.kind, { code: outcome.code, description: outcome.description });
  return to(`/onboarding/consent?result=${outcome.kind}${outcome.code ? `&code=${encodeURIComponent(outcome.code)}` : ""}`);
}

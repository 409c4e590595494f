// The incremental-consent redirect URI (environment picker, "Set it up for me"). Nothing in the query is
// trusted: `state` must be the single-use value this session created (lib/onboarding/delegated-flow.ts), and
// the delegated token it yields is used for that one request only.
import { NextResponse, type NextRequest } from "next/server";
import { customerAdminForRoute } from "@/lib/auth/route-guards";
import { inertHead, plainPage } from "@/lib/http/plain-page";
import { completeDelegated } from "@/lib/onboarding/delegated-flow";
import { requestOrigin } from "@/lib/request-origin";

export const dynamic = "force-dynamic";

// A link checker or preview fetcher sending HEAD must not redeem the single-use state.
export function HEAD() {
  return inertHead();
}

export async function GET(request: NextRequest) {
  const auth = await customerAdminForRoute(request, {
    returnTo: "/onboarding/environments",
    refusal: "Nothing was changed. Ask an administrator of your organisation to connect the environment.",
    back: { href: "/onboarding", label: "Back to the overview" },
  });
  if ("response" in auth) return auth.response;
  const result = await completeDelegated(auth.session, await requestOrigin(), request.nextUrl.searchParams);
  if (result.kind === "redirect") return NextResponse.redirect(new URL(result.to, request.nextUrl.origin), 303);
  return plainPage(request, result.status, result.title, result.body, {
    href: "/onboarding/environments",
    label: "Back to environments",
  });
}

// Registers an environment picked from this session's Global Discovery listing. A plain form post, answered
// with real status codes: a forged choice (an instance not in the listing, another session's or an expired
// listing), a replayed one, or another tenant's environment is refused with a 4xx and nothing is created.
import { NextResponse, type NextRequest } from "next/server";
import { customerAdminForRoute } from "@/lib/auth/route-guards";
import { plainPage } from "@/lib/http/plain-page";
import { pickDiscoveredEnvironment } from "@/lib/onboarding/environment-picker";

export const dynamic = "force-dynamic";

const back = { href: "/onboarding/environments", label: "Back to environments" };

export async function POST(request: NextRequest) {
  // Same-origin only: the session cookie is SameSite=Lax, and this says so explicitly.
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== request.nextUrl.origin)
    return plainPage(request, 403, "Refused", "Cross-origin form posts are refused.", back);
  const auth = await customerAdminForRoute(request, {
    returnTo: "/onboarding/environments",
    refusal: "Nothing was changed.",
    back,
  });
  if ("response" in auth) return auth.response;
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return plainPage(
      request,
      400,
      "The form could not be read",
      "Nothing was changed. Reload the page and try again.",
      back,
    );
  }
  const outcome = await pickDiscoveredEnvironment(auth.session, form.get("discoveryId"), form.get("instanceId"));
  if (outcome.ok)
    return NextResponse.redirect(
      new URL(`/onboarding/environments/${outcome.environmentId}?registered=1`, request.nextUrl.origin),
      303,
    );
  return plainPage(request, outcome.status, outcome.title, outcome.message, back);
}

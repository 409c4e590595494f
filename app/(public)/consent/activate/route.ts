// GET /consent/activate?purchase=<sealed reference>: where the landing page's sign-in returns. Activates the
// marketplace subscription for someone of the beneficiary's organisation (lib/subscriptions/purchase.ts), then goes
// on to the customer's overview; anything else goes back to the landing page, which says why and what to do.
import { NextResponse, type NextRequest } from "next/server";
import { currentSession } from "@/lib/auth/session";
import { activateAfterSignIn } from "@/lib/subscriptions/purchase";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  const reference = request.nextUrl.searchParams.get("purchase") ?? "";
  const to = (path: string) => NextResponse.redirect(new URL(path, request.nextUrl.origin), 303);
  const session = await currentSession();
  if (!session)
    return to(`/signin?returnTo=${encodeURIComponent(`${request.nextUrl.pathname}${request.nextUrl.search}`)}`);
  const outcome = await activateAfterSignIn(session, reference);
  const back = (problem: string) => to(`/consent?purchase=${encodeURIComponent(reference)}&problem=${problem}`);
  switch (outcome.kind) {
    case "activated":
      return to("/onboarding?subscription=activated");
    case "already-active":
      return to("/onboarding");
    case "other-organisation":
      return back("other-organisation");
    case "cancelled":
      return back("cancelled");
    case "failed":
      return back("activation-failed");
    case "unknown":
      return to("/consent?problem=unknown-purchase");
  }
}

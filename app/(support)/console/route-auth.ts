import "server-only";

// Route handlers of the console answer with status codes instead of pages: 401 signed out, 403 without the
// support role. (Pages use requireStaff(), which redirects to sign-in and renders app/forbidden.tsx.)
import { NextResponse } from "next/server";
import { currentSession, isStaffWith, type StaffSession } from "@/lib/auth/session";

export async function staffForRoute(role: "operator" | "admin" = "operator"): Promise<{ session: StaffSession } | { response: NextResponse }> {
  const session = await currentSession();
  if (!session) return { response: NextResponse.json({ error: "Sign in first." }, { status: 401, headers: { "Cache-Control": "no-store" } }) };
  if (!isStaffWith(session, role)) {
    return { response: NextResponse.json({ error: "The support console needs a support role in the vendor's tenant." }, { status: 403, headers: { "Cache-Control": "no-store" } }) };
  }
  return { session: session as StaffSession };
}

// Progress of any tenant's connection check, with the vendor-side detail, for support staff following a
// re-run. (Customers follow their own checks through /api/checks/<id>, which never shows vendor detail.)
import { NextResponse } from "next/server";
import { z } from "zod";
import { staffForRoute } from "@/lib/auth/route-guards";
import { getSupportCheck } from "@/lib/data/support/tenants";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ checkId: string }> }) {
  const auth = await staffForRoute("operator");
  if ("response" in auth) return auth.response;
  const { checkId } = await params;
  if (!z.uuid().safeParse(checkId).success)
    return NextResponse.json({ error: "checkId must be a UUID." }, { status: 400 });
  const check = await getSupportCheck(checkId);
  if (!check) return NextResponse.json({ error: "No such check." }, { status: 404 });
  return NextResponse.json(check, { headers: { "Cache-Control": "no-store" } });
}

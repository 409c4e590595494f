// Progress of a connection check, polled by the page while the check runs. Scoped to the caller's tenant:
// another tenant's check is a 404, exactly like one that does not exist.
import { NextResponse } from "next/server";
import { customerForRoute } from "@/lib/auth/route-guards";
import { customerCheckView } from "@/lib/checks/customer-view";
import { getCheck } from "@/lib/data/checks";
import { customerScope } from "@/lib/data/scope";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ checkId: string }> }) {
  const auth = await customerForRoute();
  if ("response" in auth) return auth.response;
  const { checkId } = await params;
  const check = await getCheck(customerScope(auth.session), checkId);
  if (!check) return NextResponse.json({ error: "No such check." }, { status: 404 });
  return NextResponse.json(customerCheckView(check), { headers: { "Cache-Control": "no-store" } });
}

// GET /api/v1/connections/{tenantId}: one connected tenant (lib/api/connections.ts).
import { handleGetConnection } from "@/lib/api/connections";
import { methodNotAllowed } from "@/lib/api/routes";
import { observeApiRequest } from "@/lib/observability/requests";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ tenantId: string }> }) {
  return observeApiRequest("connections.get", async () => handleGetConnection(request, await params));
}

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;

// GET /api/v1/connections: every connected tenant (lib/api/connections.ts; contract in lib/api/schemas.ts).
import { handleListConnections } from "@/lib/api/connections";
import { methodNotAllowed } from "@/lib/api/routes";
import { observeApiRequest } from "@/lib/observability/requests";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return observeApiRequest("connections.list", () => handleListConnections(request));
}

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;

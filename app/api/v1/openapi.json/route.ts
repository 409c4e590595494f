// GET /api/v1/openapi.json: the API's OpenAPI 3.1 description, generated from its zod schemas (lib/api/openapi.ts).
// Public on purpose: it describes the contract, no data.
import { openApiDocument } from "@/lib/api/openapi";
import { methodNotAllowed } from "@/lib/api/routes";
import { config } from "@/lib/config";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const origin = config().publicUrl ?? new URL(request.url).origin;
  return Response.json(openApiDocument(origin), { headers: { "Cache-Control": "public, max-age=300" } });
}

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;

import "server-only";

// Shared answers of the /api/v1 route files: a method the route does not have, and a path the API does not have,
// as problem+json (what the OpenAPI document promises), never Next's HTML pages.
import { problemResponse } from "@/lib/api/problem";

export function methodNotAllowed(): Response {
  return problemResponse(405, "method-not-allowed", "This API is read-only: use GET.", {
    headers: { Allow: "GET, HEAD" },
  });
}

export function unknownPath(): Response {
  return problemResponse(404, "not-found", "There is no such operation in /api/v1; see /api/v1/openapi.json.");
}

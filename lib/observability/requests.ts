import "server-only";

// The hook the /api/v1 route files put around each request: portal_api_requests_total by operation and status.
import { recordApiRequest } from "@/lib/observability/metrics";

export async function observeApiRequest(
  operation: "connections.list" | "connections.get",
  handle: () => Promise<Response>,
): Promise<Response> {
  try {
    const response = await handle();
    recordApiRequest(operation, response.status);
    return response;
  } catch (error) {
    recordApiRequest(operation, 500);
    throw error;
  }
}

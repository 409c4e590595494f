/**
 * Loopback-only HTTP admin API under https://127.0.0.1:PORT/_emulator/ (403 for other remote
 * addresses):
 *
 *   GET    /_emulator/state                 current scenario + runtime summary
 *   PUT    /_emulator/scenario              replace the scenario (JSON, validated)
 *   POST   /_emulator/reset                 back to the start scenario
 *   POST   /_emulator/actions/<name>        one of ADMIN_ACTIONS, JSON body of arguments
 *   GET    /_emulator/requests              request log ( ?kind=entra.token&since=<id> )
 *   DELETE /_emulator/requests              clear it
 *   GET|POST /_emulator/marketplace         the marketplace's purchase and admin page (HTML)
 */
import type { EmulatorAdmin } from "./admin";
import { ADMIN_ACTIONS, AdminError } from "./admin";
import { isLoopbackAddress, jsonResponse, Router } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import type { EmulatorContext } from "./context";
import { handlePpac } from "./ppac";
import { MarketplaceAdminError } from "./marketplace/admin";
import { handleMarketplacePage } from "./marketplace/pages";

function parseJson(req: EmulatorRequest): unknown {
  const text = req.body.toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, "The body must be JSON.");
  }
}

export function createAdminRouter(ctx: EmulatorContext, admin: EmulatorAdmin): Router {
  const router = new Router();
  router
    .add(["GET"], "/_emulator", () =>
      jsonResponse(200, {
        endpoints: [
          "GET /_emulator/state",
          "PUT /_emulator/scenario",
          "POST /_emulator/reset",
          "POST /_emulator/actions/<name>",
          "GET|DELETE /_emulator/requests",
          "GET /_emulator/ppac",
          "GET /_emulator/marketplace",
        ],
        actions: Object.keys(ADMIN_ACTIONS),
      }),
    )
    .add(["GET"], "/_emulator/state", () => jsonResponse(200, admin.state()))
    .add(["PUT"], "/_emulator/scenario", (req) => {
      admin.replaceScenario(parseJson(req));
      return { status: 204, headers: {}, body: "" };
    })
    .add(["POST"], "/_emulator/reset", () => {
      admin.reset();
      return { status: 204, headers: {}, body: "" };
    })
    .add(["POST"], "/_emulator/actions/:name", async (req, params) => {
      const action = ADMIN_ACTIONS[params.name ?? ""];
      if (!action)
        throw new AdminError(
          404,
          `Unknown action '${params.name ?? ""}'. Known: ${Object.keys(ADMIN_ACTIONS).join(", ")}`,
        );
      const parsed = action.schema.safeParse(parseJson(req));
      if (!parsed.success) throw new AdminError(400, parsed.error.message);
      const result = await action.run(admin, parsed.data as never);
      return result === undefined ? { status: 204, headers: {}, body: "" } : jsonResponse(200, result);
    })
    .add(["GET"], "/_emulator/requests", (req) => {
      const kind = req.url.searchParams.get("kind");
      const since = Number(req.url.searchParams.get("since") ?? "0");
      return jsonResponse(
        200,
        admin.requestLog().filter((e) => (!kind || e.kind === kind) && e.id > since),
      );
    })
    .add(["DELETE"], "/_emulator/requests", () => {
      admin.clearRequestLog();
      return { status: 204, headers: {}, body: "" };
    })
    .add(["GET", "POST"], "/_emulator/ppac", (req) => handlePpac(ctx, admin, req))
    .add(["GET", "POST"], "/_emulator/marketplace", (req) => handleMarketplacePage(ctx, admin.marketplace, req));
  return router;
}

export async function handleAdminRequest(router: Router, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind =
    req.url.pathname.startsWith("/_emulator/ppac") || req.url.pathname.startsWith("/_emulator/marketplace")
      ? "ppac"
      : "admin";
  if (!isLoopbackAddress(req.remoteAddress))
    return jsonResponse(403, { error: "The admin API only answers loopback clients." });
  const match = router.match(req.method, req.url.pathname);
  if (!match) return jsonResponse(404, { error: `No admin endpoint ${req.method} ${req.url.pathname}` });
  if ("allowed" in match)
    return jsonResponse(405, { error: `Use ${match.allowed.join(" or ")}` }, { allow: match.allowed.join(", ") });
  try {
    return await match.handler(req, match.params);
  } catch (error) {
    if (error instanceof AdminError || error instanceof MarketplaceAdminError)
      return jsonResponse(error.status, { error: error.message });
    throw error;
  }
}

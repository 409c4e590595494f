/**
 * The single HTTPS listener: reads the request, routes by Host header (Entra authority + admin API,
 * Dataverse environments, Global Discovery), applies the global latency fault, wraps every handler
 * (an exception becomes a logged 500 with an error body, never a crash) and records the request log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorAdmin } from "./admin";
import { createAdminRouter, handleAdminRequest } from "./admin-http";
import type { EmulatorContext } from "./context";
import { dataverseError } from "./errors";
import { createEntraRouter } from "./entra/router";
import { handleGlobalDiscovery } from "./dataverse/global-discovery";
import { handleEnvironmentRequest, sleep } from "./dataverse/router";
import { odataError } from "./dataverse/responses";
import { classifyHost } from "./hosts";
import { handleGraphRequest } from "./graph";
import { handleMarketplaceApi } from "./marketplace/api";
import { handleKeyVault } from "./keyvault";
import { handleManagedIdentity, MANAGED_IDENTITY_PATH } from "./managed-identity";
import { jsonResponse, textResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import type { RequestKind } from "./request-log";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function initialKind(hostKind: ReturnType<typeof classifyHost>["kind"], path: string): RequestKind {
  if (hostKind === "dataverse") return "dataverse";
  if (hostKind === "globaldisco") return "discovery";
  if (hostKind === "graph") return "graph";
  if (hostKind === "marketplace") return "marketplace";
  if (hostKind === "keyvault") return "keyvault";
  if (hostKind === "entra") return path.startsWith("/_emulator") ? "admin" : "entra.other";
  return "unknown";
}

export function createRequestListener(
  ctx: EmulatorContext,
  admin: EmulatorAdmin,
): (req: IncomingMessage, res: ServerResponse) => void {
  const entraRouter = createEntraRouter(ctx);
  const adminRouter = createAdminRouter(ctx, admin);

  async function route(request: EmulatorRequest): Promise<EmulatorResponse> {
    const host = classifyHost(request.hostname);
    const isAdmin = host.kind === "entra" && request.url.pathname.startsWith("/_emulator");
    if (isAdmin) return handleAdminRequest(adminRouter, request);
    const latency = ctx.state.scenario.faults.latencyMs;
    if (latency > 0) await sleep(latency);
    switch (host.kind) {
      case "entra": {
        if (request.url.pathname.toLowerCase() === MANAGED_IDENTITY_PATH) return handleManagedIdentity(ctx, request);
        const match = entraRouter.match(request.method, request.url.pathname);
        if (!match) return textResponse(404, "Not found");
        if ("allowed" in match) return textResponse(405, "Method not allowed", { allow: match.allowed.join(", ") });
        return match.handler(request, match.params);
      }
      case "dataverse":
        return handleEnvironmentRequest(ctx, request, host);
      case "globaldisco":
        return handleGlobalDiscovery(ctx, request);
      case "graph":
        return handleGraphRequest(ctx, request);
      case "marketplace":
        return handleMarketplaceApi(ctx, request);
      case "keyvault":
        return handleKeyVault(ctx, request, host.vault);
      case "unknown":
        return textResponse(404, `Unknown host ${request.hostname}`);
    }
  }

  return (req, res) => {
    const started = Date.now();
    const hostHeader = req.headers.host ?? `127.0.0.1:${ctx.state.port}`;
    let url: URL;
    try {
      url = new URL(req.url ?? "/", `https://${hostHeader}`);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad request");
      return;
    }
    const hostKind = classifyHost(url.hostname).kind;
    const log = ctx.state.requestLog.begin({
      host: url.host,
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search,
      kind: initialKind(hostKind, url.pathname),
    });

    const finish = (response: EmulatorResponse) => {
      log.status = response.status;
      log.durationMs = Date.now() - started;
      ctx.state.requestLog.commit(log);
      if (res.headersSent || res.destroyed) return;
      const body = typeof response.body === "string" ? Buffer.from(response.body, "utf8") : response.body;
      const headers = { ...response.headers };
      if (response.status !== 204 && response.status !== 304) headers["content-length"] = String(body.length);
      res.writeHead(response.status, headers);
      res.end(response.status === 204 ? undefined : body);
    };

    readBody(req)
      .then(async (body) => {
        const request: EmulatorRequest = {
          method: (req.method ?? "GET").toUpperCase(),
          url,
          hostname: url.hostname.toLowerCase(),
          headers: req.headers,
          body,
          remoteAddress: req.socket.remoteAddress ?? "",
          log,
        };
        finish(await route(request));
      })
      .catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) {
          finish(textResponse(413, "Request entity too large"));
          return;
        }
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log.exception = message;
        console.error(`[emulator] ${log.method} ${log.host}${log.path} failed:`, message);
        finish(
          hostKind === "dataverse" || hostKind === "globaldisco"
            ? odataError(dataverseError("internal", { detail: error instanceof Error ? error.message : String(error) }))
            : jsonResponse(500, {
                error: "server_error",
                error_description: `Emulator internal error: ${error instanceof Error ? error.message : String(error)}`,
              }),
        );
      });
  };
}

/**
 * The request pipeline of one Dataverse environment host (org host or its `.api.` twin):
 * latency fault → bearer token (401 + challenge) → service protection fault (429) → caller
 * resolution (403) → Web API / $batch. Handler errors become OData error bodies; anything
 * unexpected is left to the server's 500 wrapper.
 */
import type { EmulatorContext } from "../context";
import { DataverseHttpError, dataverseError, failDataverse } from "../errors";
import type { DataverseErrorName } from "../errors";
import { environmentOrigin } from "../hosts";
import { header, htmlResponse, textResponse, escapeHtml } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { Environment } from "../scenario";
import { executeApiRequest } from "./api";
import type { ApiRequest } from "./api";
import { authenticateEnvironmentRequest } from "./auth";
import { executeBatch } from "./batch";
import type { InnerRequest } from "./batch";
import { odataError } from "./responses";
import { admitCaller } from "./security";
import type { TokenIdentity } from "./security";

const API_PATH = /^\/api\/data\/(v9\.[0-2])(?:\/(.*))?$/i;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Consumes one unit of a matching throttle fault, if any (docs/protocol/dataverse.md B6 "Service protection"). */
function throttleResponse(ctx: EmulatorContext, env: Environment): EmulatorResponse | undefined {
  const fault = ctx.state.scenario.faults.throttle.find(
    (t) => t.remaining > 0 && (t.environment === undefined || t.environment === env.name),
  );
  if (!fault) return undefined;
  fault.remaining--;
  const name = `throttle${fault.code}` as DataverseErrorName;
  return odataError(dataverseError(name), { "retry-after": String(fault.retryAfterSeconds) });
}

export async function handleEnvironmentRequest(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  host: { org: string; region: string; api: boolean },
): Promise<EmulatorResponse> {
  req.log.kind = "dataverse";
  const env = ctx.state.environmentByHost(host.org, host.region);
  // A real unknown org is a DNS failure; the emulator (reached through a loopback resolver) answers 404.
  if (!env) return textResponse(404, `No Dataverse environment is emulated at ${req.hostname}.`);
  req.log.environment = env.name;
  const latency = ctx.state.scenario.faults.environmentLatencyMs[env.name] ?? 0;
  if (latency > 0) await sleep(latency);

  const path = req.url.pathname;
  if (!path.toLowerCase().startsWith("/api/")) {
    if (path === "/" && req.method === "GET") {
      return htmlResponse(
        200,
        `<!doctype html><title>${escapeHtml(env.friendlyName)}</title><h1>${escapeHtml(env.friendlyName)}</h1><p>Emulated Dataverse environment. Web API: <code>${escapeHtml(environmentOrigin(env, ctx.state.port, true))}/api/data/v9.2/</code></p>`,
      );
    }
    return textResponse(404, "Not found");
  }

  const auth = await authenticateEnvironmentRequest(ctx, req, env);
  if (!auth.ok) return auth.response;
  const throttled = throttleResponse(ctx, env);
  if (throttled) {
    req.log.errorCode = "429";
    return throttled;
  }
  try {
    const caller = admitCaller(env, auth.identity, ctx.state.tenantById(env.tenantId));
    const match = API_PATH.exec(path);
    if (!match) failDataverse("resourceNotFound", { segment: path.split("/").filter(Boolean).pop() ?? "" });
    const version = match[1] ?? "v9.2";
    const resourcePath = match[2] ?? "";
    const serviceRoot = `https://${req.url.host}/api/data/${version}`;
    if (resourcePath.replace(/\/$/, "") === "$batch") {
      if (req.method !== "POST") failDataverse("methodNotAllowed", { method: req.method });
      return await executeBatch(
        {
          contentType: header(req, "content-type"),
          body: req.body.toString("utf8"),
          prefer: header(req, "prefer"),
          serviceRoot,
          env,
          includeEarlierPartsWhenStopped: ctx.state.scenario.settings.stoppedBatchIncludesEarlierParts,
        },
        (inner) => executeInner(ctx, req, env, auth.identity, inner),
      );
    }
    return await executeApiRequest(
      { state: ctx.state, env, caller },
      {
        method: req.method,
        resourcePath,
        query: req.url.searchParams,
        rawQuery: req.url.search,
        headers: {
          prefer: header(req, "prefer"),
          "if-match": header(req, "if-match"),
          "if-none-match": header(req, "if-none-match"),
        },
        body: req.body.toString("utf8"),
        serviceRoot,
      },
    );
  } catch (error) {
    if (error instanceof DataverseHttpError) {
      req.log.errorCode = error.instance.body.error.code;
      return odataError(error.instance, {}, header(req, "prefer"));
    }
    throw error;
  }
}

/** One request inside a $batch: authorized as the outer token, logged as its own entry. */
async function executeInner(
  ctx: EmulatorContext,
  outer: EmulatorRequest,
  env: Environment,
  identity: TokenIdentity,
  inner: InnerRequest,
): Promise<EmulatorResponse> {
  const log = ctx.state.requestLog.begin({
    host: outer.url.host,
    method: inner.method,
    path: inner.url.pathname,
    query: inner.url.search,
    kind: "dataverse.batch-part",
  });
  log.environment = env.name;
  log.tokenTid = identity.tid;
  log.tokenAppId = identity.appid;
  log.tokenOid = identity.oid;
  const started = Date.now();
  let response: EmulatorResponse;
  try {
    if (
      inner.url.host.toLowerCase() !== outer.url.host.toLowerCase() &&
      !sameHostEnvironment(inner.url.hostname, env)
    ) {
      failDataverse("badRequest", {
        detail: `The request URL '${inner.url.toString()}' in the batch does not belong to this organization.`,
      });
    }
    const match = API_PATH.exec(inner.url.pathname);
    if (!match) failDataverse("resourceNotFound", { segment: inner.url.pathname });
    const caller = admitCaller(env, identity, ctx.state.tenantById(env.tenantId));
    const request: ApiRequest = {
      method: inner.method,
      resourcePath: match[2] ?? "",
      query: inner.url.searchParams,
      rawQuery: inner.url.search,
      headers: {
        prefer: inner.headers.prefer,
        "if-match": inner.headers["if-match"],
        "if-none-match": inner.headers["if-none-match"],
      },
      body: inner.body,
      serviceRoot: `https://${outer.url.host}/api/data/${match[1] ?? "v9.2"}`,
    };
    response = await executeApiRequest({ state: ctx.state, env, caller }, request);
  } catch (error) {
    if (!(error instanceof DataverseHttpError)) throw error;
    log.errorCode = error.instance.body.error.code;
    response = odataError(error.instance, {}, inner.headers.prefer);
  }
  log.status = response.status;
  log.durationMs = Date.now() - started;
  ctx.state.requestLog.commit(log);
  return response;
}

function sameHostEnvironment(hostname: string, env: Environment): boolean {
  const h = hostname.toLowerCase();
  return (
    h === `${env.name}.${env.region}.dynamics.localhost` || h === `${env.name}.api.${env.region}.dynamics.localhost`
  );
}

import "server-only";

// Every request the portal sends to Entra ID, Dataverse, Microsoft Graph, the marketplace's API, the managed identity
// endpoint or Key Vault goes through here (the Azure SDK clients too, lib/http/azure-sdk.ts): bounded by a timeout, never
// following redirects (a redirect could lead off the allow-listed host), and counted per connection check.
import { AsyncLocalStorage } from "node:async_hooks";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, fetch, type Response } from "undici";
import { earlySettings, type PortalConfig } from "@/lib/config";
import { redactUrl, requestLogger } from "@/lib/log";
import { observeOutbound } from "@/lib/observability/outbound";

export type OutboundService = "entra" | "dataverse" | "graph" | "marketplace" | "identity" | "vault";

export class OutboundError extends Error {
  constructor(
    readonly kind: "timeout" | "network" | "redirect",
    readonly service: OutboundService,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = "OutboundError";
  }
}

/** Requests made inside one `withRequestMeter` scope, by service. */
export type RequestMeter = Record<OutboundService, number>;
const meterStore = new AsyncLocalStorage<RequestMeter>();

export function withRequestMeter<T>(run: () => Promise<T>): Promise<{ result: T; meter: RequestMeter }> {
  const meter: RequestMeter = { entra: 0, dataverse: 0, graph: 0, marketplace: 0, identity: 0, vault: 0 };
  return meterStore.run(meter, async () => ({ result: await run(), meter }));
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

// Names under .localhost are loopback by definition (RFC 6761 §6.3), but this machine's resolver does not
// answer for subdomains of localhost. The demo's emulated environments live there, so only in demo mode are
// they answered here (production configuration refuses a .localhost host suffix, lib/config.ts). Everything
// else goes to the system resolver.
export function resolvesToLoopbackHere(hostname: string, mode: PortalConfig["mode"]): boolean {
  return mode === "demo" && (hostname === "localhost" || hostname.endsWith(".localhost"));
}

// The settings the outbound client needs are read before Key Vault references are resolved (it is what reads them).
let settings: ReturnType<typeof earlySettings> | undefined;
const outboundSettings = () => (settings ??= earlySettings());

function lookup(hostname: string, options: { all?: boolean }, callback: LookupCallback) {
  if (resolvesToLoopbackHere(hostname, outboundSettings().mode)) {
    if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
    return;
  }
  dnsLookup(hostname, options as never, callback as never);
}

let agent: Agent | undefined;
function dispatcher(): Agent {
  const timeout = outboundSettings().outboundTimeoutMs;
  agent ??= new Agent({
    connect: { lookup: lookup as never, timeout },
    headersTimeout: timeout,
    bodyTimeout: timeout,
    keepAliveTimeout: 30_000,
  });
  return agent;
}

export type OutboundRequest = {
  method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  headers?: Record<string, string>;
  body?: string;
};

export async function outboundFetch(
  service: OutboundService,
  url: string,
  request: OutboundRequest = {},
): Promise<Response> {
  const meter = meterStore.getStore();
  if (meter) meter[service] += 1;
  // A span and the outbound metrics around the call (docs/operations.md). The client id comes from the early
  // settings: Key Vault is read through here before the full configuration can be parsed.
  return observeOutbound(
    service,
    url,
    { method: request.method ?? "GET", body: request.body, clientId: outboundSettings().clientId },
    () => send(service, url, request),
  );
}

async function send(service: OutboundService, url: string, request: OutboundRequest): Promise<Response> {
  const timeoutMs = outboundSettings().outboundTimeoutMs;
  const method = request.method ?? "GET";
  // One line per call, with the id of the request that caused it; the URL without codes or secrets.
  const log = await requestLogger({ service, method, url: redactUrl(url) });
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      dispatcher: dispatcher(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      log.warn({ ms: ms(), outcome: "timeout" }, "outbound call timed out");
      throw new OutboundError("timeout", service, url, `no answer within ${timeoutMs} ms`);
    }
    const cause =
      error instanceof Error && error.cause instanceof Error
        ? error.cause.message
        : error instanceof Error
          ? error.message
          : String(error);
    log.warn({ ms: ms(), outcome: "network", cause }, "outbound call failed");
    throw new OutboundError("network", service, url, cause);
  }
  log.info({ ms: ms(), status: response.status }, "outbound call");
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new OutboundError(
      "redirect",
      service,
      url,
      `answered ${response.status} with a redirect, which is not followed`,
    );
  }
  return response;
}

import "server-only";

// Structured logs: pino, one JSON object per line on stdout, each with the id of the request it belongs to
// (proxy.ts gives every request an x-request-id; background work runs inside withRequestId). Tokens, secrets
// and authorization codes never reach a line: known fields are censored by pino's redaction, and URLs pass
// through redactUrl() first. In the demo, scripts/demo.ts pipes the lines through pino-pretty.
import { AsyncLocalStorage } from "node:async_hooks";
import { headers } from "next/headers";
import pino, { type Logger } from "pino";
import { config, earlySettings } from "@/lib/config";
import { activeTraceIds, tagActiveSpan } from "@/lib/observability/tracing";
import { redactUrl } from "@/lib/redact";

export const REQUEST_ID_HEADER = "x-request-id";

/** Fields whose values are secrets, at the top level or one level deep. */
const SECRET_KEYS = [
  "authorization",
  "cookie",
  "access_token",
  "id_token",
  "refresh_token",
  "client_secret",
  "client_assertion",
  "assertion",
  "code",
  "password",
  "secret",
  "token",
];

/** URL query parameters that carry secrets (OAuth codes and tokens, client credentials). */
export { redactUrl };

function configuredLevel(): string {
  try {
    return config().logLevel;
  } catch {
    // A configuration error is itself reported at start-up; logging goes on at the configured level (before Key
    // Vault references are resolved) or the default one.
    try {
      return earlySettings().logLevel;
    } catch {
      return "info";
    }
  }
}

/** The portal's logger: stdout at LOG_LEVEL. Tests pass their own destination and level. */
export function createLogger(destination?: pino.DestinationStream, level = configuredLevel()): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "portal" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Top-level and one level down (e.g. headers.authorization, body.client_secret).
    redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: "[redacted]" },
    // With tracing on, each line carries the trace it was written in: a request id leads to its trace and back.
    mixin: () => activeTraceIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Replaces the process's logger (tests: to read the lines). */
export function setLogger(next: Logger): void {
  holder.portalLogger = next;
}

// One logger per process, also when Next loads this module in several bundles.
const holder = globalThis as unknown as { portalLogger?: Logger };
export function logger(): Logger {
  holder.portalLogger ??= createLogger();
  return holder.portalLogger;
}

const requestIdStore = new AsyncLocalStorage<string>();

/** Runs background work (a connection check started by a request, a script) under a request id. */
export function withRequestId<T>(requestId: string, run: () => T): T {
  return requestIdStore.run(requestId, run);
}

/** The current request's id: set by withRequestId, else the header proxy.ts put on the request, else none. */
export async function currentRequestId(): Promise<string | undefined> {
  const own = requestIdStore.getStore();
  if (own) return own;
  try {
    return (await headers()).get(REQUEST_ID_HEADER) ?? undefined;
  } catch {
    // Outside a request (scripts, tests, work that outlived its request): no id.
    return undefined;
  }
}

/** A child logger whose lines carry the current request's id. */
export async function requestLogger(bindings: Record<string, unknown> = {}): Promise<Logger> {
  const requestId = await currentRequestId();
  if (requestId) tagActiveSpan("portal.request_id", requestId);
  return logger().child(requestId ? { requestId, ...bindings } : bindings);
}

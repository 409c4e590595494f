import "server-only";

// Two answers the portal gives below Next's request handler, on the HTTP server `next start` opened (installed once
// at start-up from instrumentation.ts, lib/startup.ts):
//
// - Methods Next cannot handle. Node parses TRACE, but Next builds a fetch Request for every request and the Fetch
//   standard forbids TRACE (and TRACK, CONNECT): it threw, and Next answered 500 with a stack trace in the log, before
//   proxy.ts ran. They get 405 here. Methods Node's parser does not know (TRACK, BREW, …) never reach JavaScript as
//   requests; Node answers them 400, here with the security headers.
// - API parameters Next drops: a query key `__proto__` vanishes in Next's parsing, so the API could not refuse it as
//   unknown; it is refused here from the raw request target (lib/http/request-guard.ts rejectLostApiParameters).
// - The status of a refused server action (lib/http/refusal.ts): each request runs inside its own request state,
//   and the response goes out with the refusal's status when Next would have sent 200 or its not-found 404.
import http from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { config, servedOverHttps } from "@/lib/config";
import { REFUSAL_HEADER, requestStateStorage, type RequestState } from "@/lib/http/refusal";
import { rejectLostApiParameters } from "@/lib/http/request-guard";
import { securityHeaders } from "@/lib/http/security-headers";

/** The Fetch standard's forbidden methods: `new Request()` throws for them. */
export const UNSUPPORTED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);
export const ALLOWED_METHODS = "GET, HEAD, POST";

function headersOfRefusal(): Record<string, string> {
  const c = config();
  return {
    // No script runs on these answers, so the development CSP's allowances are never needed.
    ...securityHeaders({
      nonce: randomBytes(16).toString("base64"),
      https: servedOverHttps(c),
      formActionOrigins: [c.entra.authorityHost],
    }),
    "Cache-Control": "no-store",
  };
}

/** The answer to a method Next cannot handle: 405, plain text (problem+json on the API), nothing of the request echoed. */
export function unsupportedMethodAnswer(
  method: string,
  path: string,
): { status: number; headers: Record<string, string>; body: string } {
  const api = path.startsWith("/api/v1/") || path === "/api/v1";
  const detail = `The method ${method} is not supported here; use ${ALLOWED_METHODS}.`;
  const body = api
    ? JSON.stringify({
        type: "urn:tenant-onboarding-portal:problem:method-not-allowed",
        title: "Method not allowed",
        status: 405,
        detail,
      })
    : `${detail}\n`;
  return {
    status: 405,
    headers: {
      ...headersOfRefusal(),
      Allow: ALLOWED_METHODS,
      "Content-Type": api ? "application/problem+json" : "text/plain; charset=utf-8",
    },
    body,
  };
}

/** The status a response goes out with: a refusal recorded for the request replaces Next's 200 or 404. */
export function statusWithRefusal(status: number, refusal: number | null): number {
  return refusal !== null && (status === 200 || status === 404) ? refusal : status;
}

function trackRequest(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState) {
  const forwarded = req.headers["x-action-forwarded"] === "1";
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) {
    // The answer of a forwarded action carries its refusal back to the request that forwarded it (Next copies the
    // headers of that answer, not its status).
    const carried = Number(res.getHeader(REFUSAL_HEADER));
    const refusal = state.refusal ?? (carried === 401 || carried === 403 ? carried : null);
    if (forwarded && state.refusal !== null) res.setHeader(REFUSAL_HEADER, String(state.refusal));
    else res.removeHeader(REFUSAL_HEADER);
    return (writeHead as (...args: unknown[]) => http.ServerResponse).call(
      this,
      statusWithRefusal(statusCode, refusal),
      ...rest,
    );
  } as typeof res.writeHead;
}

/** Sends a fetch Response (from lib/http/request-guard.ts) on a Node response, with the security headers. */
async function send(res: http.ServerResponse, response: Response) {
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, {
    ...headersOfRefusal(),
    ...Object.fromEntries(response.headers),
    "Content-Length": body.length,
  });
  res.end(body);
}

function answerUnknownMethod(socket: Socket) {
  const head = Object.entries({
    ...headersOfRefusal(),
    "Content-Type": "text/plain; charset=utf-8",
    Connection: "close",
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  const body = "The request method is not supported.\n";
  socket.end(`HTTP/1.1 400 Bad Request\r\n${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

const holder = globalThis as unknown as { portalServerHooks?: boolean };

export function installServerHooks(): void {
  if (holder.portalServerHooks) return;
  holder.portalServerHooks = true;
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (UNSUPPORTED_METHODS.has(req.method ?? "")) {
        const answer = unsupportedMethodAnswer(req.method!, (req.url ?? "/").split("?")[0]!);
        res.writeHead(answer.status, { ...answer.headers, "Content-Length": Buffer.byteLength(answer.body) });
        res.end(answer.body);
        req.resume();
        return true;
      }
      const lost = rejectLostApiParameters(req.url ?? "/");
      if (lost) {
        void send(res, lost);
        req.resume();
        return true;
      }
      const state: RequestState = { refusal: null };
      trackRequest(req, res, state);
      return requestStateStorage().run(state, () => emit.call(this, event, ...args));
    }
    if (event === "clientError") {
      const [error, socket] = args as [NodeJS.ErrnoException, Socket];
      if (error.code === "HPE_INVALID_METHOD" && socket.writable) {
        answerUnknownMethod(socket);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  };
}

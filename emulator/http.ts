/**
 * Minimal HTTP plumbing: a request/response model independent of node:http (so `$batch` can run
 * inner requests through the same handlers), a tiny path router, and body/cookie helpers.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RequestLogEntry } from "./request-log";

export interface EmulatorRequest {
  method: string;
  /** Full URL as the client addressed it (scheme https, Host header). */
  url: URL;
  /** Lower-case host name without port. */
  hostname: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
  /** The log entry of this request; handlers add what they learn (tenant, grant, appid, …). */
  log: RequestLogEntry;
}

export type HeaderValue = string | string[];

export interface EmulatorResponse {
  status: number;
  headers: Record<string, HeaderValue>;
  body: string | Buffer;
}

export function header(req: Pick<EmulatorRequest, "headers">, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function textResponse(
  status: number,
  body: string,
  headers: Record<string, HeaderValue> = {},
): EmulatorResponse {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers }, body };
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, HeaderValue> = {},
): EmulatorResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function htmlResponse(
  status: number,
  html: string,
  headers: Record<string, HeaderValue> = {},
): EmulatorResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store, no-cache", ...headers },
    body: html,
  };
}

export function redirectResponse(location: string, headers: Record<string, HeaderValue> = {}): EmulatorResponse {
  return { status: 302, headers: { location, "cache-control": "no-store, no-cache", ...headers }, body: "" };
}

export function isFormContentType(req: Pick<EmulatorRequest, "headers">): boolean {
  return (header(req, "content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

/** Form fields from the body (form content type only); never throws. */
export function formBody(req: Pick<EmulatorRequest, "headers" | "body">): URLSearchParams {
  if (!isFormContentType(req)) return new URLSearchParams();
  return new URLSearchParams(req.body.toString("utf8"));
}

/** Authorize-style endpoints accept GET (query) and POST (form). */
export function requestParams(req: EmulatorRequest): URLSearchParams {
  return req.method === "POST" ? formBody(req) : req.url.searchParams;
}

export function parseCookies(req: Pick<EmulatorRequest, "headers">): Record<string, string> {
  const raw = header(req, "cookie") ?? "";
  const cookies: Record<string, string> = {};
  for (const part of raw.split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    try {
      cookies[name] = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      cookies[name] = part.slice(index + 1).trim();
    }
  }
  return cookies;
}

export type RouteHandler = (
  req: EmulatorRequest,
  params: Record<string, string>,
) => Promise<EmulatorResponse> | EmulatorResponse;

interface Route {
  methods: string[] | "*";
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/**
 * Path router. Patterns like `/:tenant/oauth2/v2.0/token`; a segment parameter matches one path
 * segment. Matching is case-insensitive for the literal parts (Entra paths are).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(methods: string[] | "*", path: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          keys.push(segment.slice(1));
          return "([^/]+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ methods, pattern: new RegExp(`^${source}/?$`, "i"), keys, handler });
    return this;
  }

  /** Returns the handler result, a 405 producer when only the method differs, or undefined. */
  match(
    method: string,
    pathname: string,
  ): { handler: RouteHandler; params: Record<string, string> } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      if (route.methods !== "*" && !route.methods.includes(method)) {
        allowed.push(...route.methods);
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        const raw = match[i + 1] ?? "";
        try {
          params[key] = decodeURIComponent(raw);
        } catch {
          params[key] = raw;
        }
      });
      return { handler: route.handler, params };
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export function isLoopbackAddress(address: string): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1" || address.startsWith("127.");
}

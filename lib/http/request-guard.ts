// Requests Next itself would answer with a 500 (or answer wrongly), refused with a 4xx before they reach it (called
// from proxy.ts). Next's router fails on a path that does not %-decode; its server-action handler throws — and so
// answers 500 — for a cross-origin or unparseable Origin, for a body over its 1 MB action limit, and for a body
// React cannot decode into arguments (bad JSON, a missing root part, a reference to a part that is not there, a
// malformed BigInt). Next copies the query into a plain object before the proxy or a route handler sees it, where a
// key named `__proto__` sets the prototype instead of a property: the API would never see that parameter, so it is
// refused (rejectLostApiParameters, from the raw request in lib/http/server-hooks.ts), as the API refuses every
// unknown parameter. Everything else (unknown action ids, wrong argument shapes) Next and
// lib/auth/validated-action.ts already answer.
import { problemResponse } from "@/lib/api/problem";

/** Next's default `serverActions.bodySizeLimit`. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;
/** Next refuses more arguments than this with an error (a 500); no action of ours takes more than two. */
const MAX_ARGUMENTS = 1000;

const refuse = (status: number, message: string) =>
  new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

function isActionCandidate(request: Request): boolean {
  if (request.method !== "POST") return false;
  const type = request.headers.get("content-type") ?? "";
  // A fetch action carries Next-Action; a form posted without JavaScript is multipart with $ACTION_ fields.
  return request.headers.has("next-action") || type.toLowerCase().startsWith("multipart/form-data");
}

export type GuardOptions = {
  /** AUTH_URL's origin: the only origin a server action may be called from. Null (demo): the request's own origin. */
  publicOrigin: string | null;
  /** Take the request's origin from X-Forwarded-Host / X-Forwarded-Proto (TRUST_FORWARDED_HEADERS): only behind a
   *  proxy that sets them, since anyone can send them. */
  trustForwardedHeaders: boolean;
};

const DEFAULT_OPTIONS: GuardOptions = { publicOrigin: null, trustForwardedHeaders: false };

const firstValue = (value: string | null) => value?.split(",")[0]!.trim() || null;

/**
 * The origin the portal is reached at: AUTH_URL's when configured; otherwise the Host header over http (what
 * `next start` serves), or the forwarded host and scheme when the operator said a proxy in front sets them.
 * (Next builds the proxy's request.url from its own listening address and a client-sent X-Forwarded-Proto, so
 * neither is used.)
 */
export function portalOrigin(request: Request, options: GuardOptions = DEFAULT_OPTIONS): string | null {
  if (options.publicOrigin) return options.publicOrigin;
  const forwardedHost = options.trustForwardedHeaders ? firstValue(request.headers.get("x-forwarded-host")) : null;
  const forwardedProto = options.trustForwardedHeaders ? firstValue(request.headers.get("x-forwarded-proto")) : null;
  const host = forwardedHost ?? request.headers.get("host");
  const scheme = forwardedProto === "https" ? "https" : "http";
  // A host and port, nothing else (no path, no user info).
  if (!host || !/^[A-Za-z0-9.[\]:-]+$/.test(host)) return null;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/** Query keys Next's routing drops before the proxy or a route handler can see them. */
const LOST_QUERY_KEYS = ["__proto__"];

/**
 * The API refuses unknown parameters; one Next drops on its way (`__proto__`) must be refused from the raw request
 * target, before Next parses it — lib/http/server-hooks.ts calls this with the target as the client sent it.
 */
export function rejectLostApiParameters(target: string): Response | null {
  let url: URL;
  try {
    url = new URL(target, "http://portal.invalid");
  } catch {
    return null; // not a target this check can read; Next answers it
  }
  if (!url.pathname.startsWith("/api/v1/")) return null;
  const lost = LOST_QUERY_KEYS.filter((key) => url.searchParams.has(key));
  if (lost.length === 0) return null;
  const invalidParams = lost.map((name) => ({ name, reason: "is not a parameter of this operation" }));
  return problemResponse(400, "invalid-request", invalidParams.map((p) => `${p.name} ${p.reason}`).join("; "), {
    invalidParams,
  });
}

/** Checks on the address and headers: a decodable path, an API query Next keeps whole, actions only from the
 *  portal's own origin (as Next requires, without its 500, and comparing scheme and port too) and the action
 *  body size limit. */
export function rejectMalformedRequest(request: Request, options: GuardOptions = DEFAULT_OPTIONS): Response | null {
  // Next fails to match a path whose %-escapes are not UTF-8 (e.g. /onboarding/environments/%E0) with a 500.
  const url = new URL(request.url);
  const pathname = url.pathname;
  try {
    decodeURIComponent(pathname);
  } catch {
    // The ISV back end's API documents problem+json for every error (lib/api/problem.ts).
    if (pathname.startsWith("/api/v1/"))
      return problemResponse(400, "invalid-request", "An escape in the path does not decode.");
    return refuse(400, "The address is not valid: an escape in its path does not decode.");
  }
  if (!isActionCandidate(request)) return null;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    let originOfCaller: string | null;
    try {
      originOfCaller = origin === "null" ? null : new URL(origin).origin;
    } catch {
      originOfCaller = null;
    }
    const expected = portalOrigin(request, options);
    if (!originOfCaller || !expected || originOfCaller !== expected)
      return refuse(403, "Cross-origin form posts and server action calls are refused.");
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(length) && length > ACTION_BODY_LIMIT_BYTES) return refuse(413, "The request body is too large.");
  return null;
}

// "$$…" an escaped string, "$u…" undefined, "$I…"/"$-…" infinities and -0, "$N…" NaN, "$D…" a date.
const SELF_CONTAINED = new Set(["$", "u", "I", "-", "N", "D"]);

type Part = string | File | null | undefined;

/**
 * Whether React's decodeReply could turn these parts into values: the root part and every part it refers to
 * must be JSON, using only the reference kinds our client sends (escaped strings, undefined, numbers, dates,
 * BigInts, FormData, outlined parts that exist). `get` reads part "<id>" of a fetch action's body, or part
 * "$ACTION_<n>:<id>" (the bound arguments) of a form posted without JavaScript.
 */
function decodable(get: (id: string) => Part, rootId: string): boolean {
  const seen = new Set<string>();
  const pending = [rootId];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const text = get(id);
    if (typeof text !== "string") return false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const v = stack.pop();
      if (typeof v === "string" && v.startsWith("$")) {
        const kind = v[1] ?? "";
        if (SELF_CONTAINED.has(kind)) continue;
        if (kind === "n" && /^-?\d{1,400}$/.test(v.slice(2))) continue;
        if (kind === "K" && /^[0-9a-f]+$/.test(v.slice(2))) continue;
        const ref = /^\$@?([0-9a-f]+)$/.exec(v);
        if (!ref) return false;
        pending.push(String(parseInt(ref[1]!, 16)));
      } else if (Array.isArray(v)) {
        stack.push(...v);
      } else if (v !== null && typeof v === "object") {
        stack.push(...Object.values(v));
      }
    }
  }
  return true;
}

/** Body checks for requests that may be server actions; reads a clone, so Next still gets the body. */
export async function rejectUndecodableActionBody(request: Request): Promise<Response | null> {
  if (!isActionCandidate(request)) return null;
  const bad = () => refuse(400, "Invalid server action request: the body could not be decoded.");
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const isFetchAction = request.headers.has("next-action");
  if (type.startsWith("application/x-www-form-urlencoded")) return null; // Next answers these itself (404 or the page).
  if (type.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await request.clone().formData();
    } catch {
      return bad();
    }
    const get = (prefix: string) => (id: string) => form.get(prefix + id) as Part;
    if (isFetchAction) return decodable(get(""), "0") && rootArgumentCount(form.get("0")) ? null : bad();
    for (const key of form.keys()) {
      const bound = /^\$ACTION_REF_(.*)$/.exec(key);
      if (bound && !decodable(get(`$ACTION_${bound[1]}:`), "0")) return bad();
    }
    return null;
  }
  if (!isFetchAction) return null;
  let text: string;
  try {
    text = await request.clone().text();
  } catch {
    return bad();
  }
  if (text.length > ACTION_BODY_LIMIT_BYTES) return refuse(413, "The request body is too large.");
  return decodable((id) => (id === "0" ? text : undefined), "0") && rootArgumentCount(text) ? null : bad();
}

/** The root of a fetch action's reply is the argument list: an array Next accepts the length of. */
function rootArgumentCount(root: Part): boolean {
  if (typeof root !== "string") return false;
  try {
    const value: unknown = JSON.parse(root);
    return Array.isArray(value) && value.length <= MAX_ARGUMENTS;
  } catch {
    return false;
  }
}

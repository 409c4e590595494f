// Requests Next itself would answer with a 500, refused with a 4xx before they reach it (called from
// proxy.ts). Next's router fails on a path that does not %-decode; its server-action handler throws — and so answers 500 — for a cross-origin or unparseable
// Origin, for a body over its 1 MB action limit, and for a body React cannot decode into arguments (bad
// JSON, a missing root part, a reference to a part that is not there, a malformed BigInt). Everything else
// (unknown action ids, wrong argument shapes) Next and lib/auth/validated-action.ts already answer.

/** Next's default `serverActions.bodySizeLimit`. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;
/** Next refuses more arguments than this with an error (a 500); no action of ours takes more than two. */
const MAX_ARGUMENTS = 1000;

const refuse = (status: number, message: string) =>
  new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });

function isActionCandidate(request: Request): boolean {
  if (request.method !== "POST") return false;
  const type = request.headers.get("content-type") ?? "";
  // A fetch action carries Next-Action; a form posted without JavaScript is multipart with $ACTION_ fields.
  return request.headers.has("next-action") || type.toLowerCase().startsWith("multipart/form-data");
}

/** Checks on the address and headers: a decodable path, same origin for actions (as Next requires, without
 *  its 500) and the action body size limit. */
export function rejectMalformedRequest(request: Request): Response | null {
  // Next fails to match a path whose %-escapes are not UTF-8 (e.g. /onboarding/environments/%E0) with a 500.
  const pathname = new URL(request.url).pathname;
  try {
    decodeURIComponent(pathname);
  } catch {
    // The ISV back end's API documents problem+json for every error (lib/api/problem.ts).
    if (pathname.startsWith("/api/v1/")) {
      const body = { type: "urn:tenant-onboarding-portal:problem:invalid-request", title: "The request is not valid", status: 400, detail: "An escape in the path does not decode." };
      return new Response(JSON.stringify(body), { status: 400, headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store" } });
    }
    return refuse(400, "The address is not valid: an escape in its path does not decode.");
  }
  if (!isActionCandidate(request)) return null;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? "").split(",")[0]!.trim();
    let originHost: string | null;
    try {
      originHost = origin === "null" ? null : new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (!originHost || originHost !== host) return refuse(403, "Cross-origin form posts and server action calls are refused.");
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

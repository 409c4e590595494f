import "server-only";

// The HTTP status of a refused server action (issue 19 item 6). Next answers forbidden() in a server action with
// a 403 only when the action runs on the page that was posted to: a fetch action Next forwards to another page
// comes back 200 (the 403 is inside the body), and a form posted without JavaScript gets the not-found page, 404.
// So validatedAction marks the refusal on the request (an AsyncLocalStorage the portal's HTTP server opens around
// each request, lib/http/server-hooks.ts), and the response goes out with that status whatever Next chose.
import { AsyncLocalStorage } from "node:async_hooks";

export type RequestState = { refusal: 401 | 403 | null };

/** Set on the answer of a forwarded action request, so the request that forwarded it takes the status over. */
export const REFUSAL_HEADER = "x-portal-refusal";

// One store per process: Next loads this module once per bundle (instrumentation, pages, actions).
const holder = globalThis as unknown as { portalRequestState?: AsyncLocalStorage<RequestState> };
export function requestStateStorage(): AsyncLocalStorage<RequestState> {
  holder.portalRequestState ??= new AsyncLocalStorage<RequestState>();
  return holder.portalRequestState;
}

/** Records that this request is refused (the guard of a server action threw forbidden() or unauthorized()). */
export function markRefusal(status: 401 | 403): void {
  const state = requestStateStorage().getStore();
  if (state) state.refusal = status;
}

/** The refusal recorded for this request, if any (the not-found page shows the refusal's page then). */
export function currentRefusal(): 401 | 403 | null {
  return requestStateStorage().getStore()?.refusal ?? null;
}

/** Next's digest of forbidden() / unauthorized(): `NEXT_HTTP_ERROR_FALLBACK;403`. */
export function refusalStatusOf(error: unknown): 401 | 403 | null {
  const digest =
    typeof error === "object" && error !== null && "digest" in error ? (error as { digest: unknown }).digest : null;
  if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") return 403;
  if (digest === "NEXT_HTTP_ERROR_FALLBACK;401") return 401;
  return null;
}

/**
 * Sending results back to the client application: to the redirect URI by query, fragment or
 * form_post (docs/protocol/entra.md A2), error parameters in Entra's format, and the error page shown when the
 * redirect URI itself cannot be trusted (AADSTS50011 and friends).
 */
import { entraError, entraTimestamp } from "../errors";
import type { EntraErrorName } from "../errors";
import { htmlResponse, redirectResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse, HeaderValue } from "../http";
import type { EmulatorContext } from "../context";
import { errorPage, formPostPage } from "./pages";

export interface ClientEndpoint {
  redirectUri: string;
  responseMode: "query" | "fragment" | "form_post";
}

/** Delivers `fields` to the client (order preserved, empty values dropped). */
export function respondToClient(
  endpoint: ClientEndpoint,
  fields: [string, string | undefined][],
  headers: Record<string, HeaderValue> = {},
): EmulatorResponse {
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined);
  if (endpoint.responseMode === "form_post") {
    return htmlResponse(200, formPostPage(endpoint.redirectUri, Object.fromEntries(present)), headers);
  }
  const url = new URL(endpoint.redirectUri);
  if (endpoint.responseMode === "fragment") {
    url.hash = new URLSearchParams(present).toString();
    return redirectResponse(url.toString(), headers);
  }
  for (const [name, value] of present) url.searchParams.append(name, value);
  return redirectResponse(url.toString(), headers);
}

/**
 * An Entra error at the redirect URI: `error`, `error_description` (with trace/correlation/timestamp
 * lines like the token endpoint's), `error_uri`, `state`. `prefix` lets admin consent put
 * `admin_consent=True` first, as in the documented example (docs/protocol/entra.md A3.1).
 */
export function errorToClient(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  endpoint: ClientEndpoint & { state?: string | undefined },
  name: EntraErrorName,
  params: Record<string, string | undefined>,
  options: { prefix?: [string, string][]; errorOverride?: string } = {},
): EmulatorResponse {
  const instance = entraError(name, params, {
    authority: ctx.state.authority,
    ...(options.errorOverride ? { errorOverride: options.errorOverride } : {}),
  });
  req.log.errorCode = String(instance.body.error_codes[0]);
  return respondToClient(endpoint, [
    ...(options.prefix ?? []),
    ["error", instance.body.error],
    ["error_description", instance.body.error_description],
    ["error_uri", instance.body.error_uri],
    ["state", endpoint.state],
  ]);
}

/** The user pressed "Cancel" in the sign-in UI (docs/protocol/entra.md A2: error_subcode=cancel). */
export function cancelToClient(endpoint: ClientEndpoint & { state?: string | undefined }): EmulatorResponse {
  return respondToClient(endpoint, [
    ["error", "access_denied"],
    ["error_subcode", "cancel"],
    ["state", endpoint.state],
  ]);
}

/** An error page (no redirect): used while the client or redirect URI is not validated. */
export function errorPageResponse(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  name: EntraErrorName,
  params: Record<string, string | undefined>,
  status = 400,
): EmulatorResponse {
  const instance = entraError(name, params, { authority: ctx.state.authority });
  req.log.errorCode = String(instance.body.error_codes[0]);
  return htmlResponse(
    status,
    errorPage({
      summary: instance.summary,
      traceId: instance.body.trace_id,
      correlationId: instance.body.correlation_id,
      timestamp: entraTimestamp(),
    }),
  );
}

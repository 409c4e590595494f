import "server-only";

// The hook lib/http/outbound.ts puts around every call to Microsoft: one span (service, method, host, redacted URL,
// status, duration, tenant id) and the metrics portal_outbound_requests_total, portal_outbound_request_duration_seconds
// and, for Entra's token endpoint, portal_token_requests_total. Reads nothing of the request but its method, URL and,
// for token requests, the grant type and the scope's resource (never the credential, the code or the token).
import type { Response } from "undici";
import { redactUrl } from "@/lib/redact";
import { recordOutbound, recordTokenRequest, type OutboundMetricService } from "@/lib/observability/metrics";
import { outboundSpan } from "@/lib/observability/tracing";

type Service = "entra" | "dataverse" | "graph" | "marketplace" | "identity" | "vault";

function metricService(service: Service, url: URL): OutboundMetricService {
  // Global Discovery is called through the Dataverse client; operators watch it apart (docs/operations.md).
  return service === "dataverse" && url.hostname.startsWith("globaldisco.") ? "global-discovery" : service;
}

/** What a token request asks for, in a bounded vocabulary: the grant and, for app tokens, the resource's kind. */
export function tokenRequestKind(body: string | undefined, clientId: string | null): string {
  const form = new URLSearchParams(body ?? "");
  const grant = form.get("grant_type") ?? "";
  const resource =
    (form.get("scope") ?? "").split(" ").find((s) => s.endsWith("/.default") || s.endsWith("/user_impersonation")) ??
    "";
  if (grant === "client_credentials") {
    if (clientId && resource.toLowerCase().startsWith(`${clientId.toLowerCase()}/`)) return "consent-proof";
    if (/graph|microsoftgraph/i.test(resource)) return "graph";
    if (/globaldisco/i.test(resource)) return "global-discovery";
    return /dynamics|crm/i.test(resource) ? "dataverse" : "app-other";
  }
  if (grant === "authorization_code")
    return /user_impersonation/.test(form.get("scope") ?? "") ? "delegated" : "sign-in";
  if (grant === "refresh_token") return "refresh";
  return "other";
}

export async function observeOutbound(
  service: Service,
  url: string,
  request: { method: string; body?: string; clientId: string | null },
  call: () => Promise<Response>,
): Promise<Response> {
  const parsed = new URL(url);
  const label = metricService(service, parsed);
  const isTokenRequest = service === "entra" && request.method === "POST" && parsed.pathname.endsWith("/token");
  const started = performance.now();
  return outboundSpan(
    `${request.method} ${label}`,
    () => ({
      "portal.service": label,
      "http.request.method": request.method,
      "server.address": parsed.hostname,
      "url.full": redactUrl(url),
    }),
    async (span) => {
      let status: number | "timeout" | "network" | "redirect" = "network";
      try {
        const response = await call();
        status = response.status;
        return response;
      } catch (error) {
        const kind = (error as { kind?: unknown }).kind;
        status = kind === "timeout" ? "timeout" : kind === "redirect" ? "redirect" : "network";
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        if (span.isRecording()) {
          span.setAttribute("portal.duration_ms", Math.round(seconds * 1000));
          if (typeof status === "number") span.setAttribute("http.response.status_code", status);
          else span.setAttribute("error.type", status);
        }
        recordOutbound(label, status, seconds);
        if (isTokenRequest) {
          const result =
            typeof status !== "number" ? "error" : status < 300 ? "issued" : status < 500 ? "refused" : "error";
          recordTokenRequest(tokenRequestKind(request.body, request.clientId), result);
        }
      }
    },
  );
}

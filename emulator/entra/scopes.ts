/**
 * Scope parsing (docs/protocol/entra.md A4 and C8): v2 scopes are `<resource>/<permission>`; `.default` stands for
 * all statically configured permissions; bare names (User.Read) belong to Microsoft Graph; OIDC
 * scopes have no resource.
 */
import { sameGuid } from "../guid";
import { MARKETPLACE_APP_ID } from "../marketplace/schema";
import { GRAPH_HOST, isDataverseResourceHost, isGlobalDiscoveryResourceHost } from "../hosts";

export const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface ResourceScope {
  /** As written in the request, e.g. https://contoso.crm.dynamics.localhost:44300/.default */
  raw: string;
  /** e.g. https://contoso.crm.dynamics.localhost:44300 (a trailing slash survives: `https://x//.default` → `https://x/`). */
  resource: string;
  permission: string;
}

export interface ParsedScopes {
  oidc: string[];
  resourceScopes: ResourceScope[];
  /** Distinct resources, in order of appearance. */
  resources: string[];
}

export function splitScopes(scope: string): string[] {
  return scope.split(/\s+/).filter(Boolean);
}

export function parseScopes(scope: string): ParsedScopes {
  const oidc: string[] = [];
  const resourceScopes: ResourceScope[] = [];
  for (const raw of splitScopes(scope)) {
    if (OIDC_SCOPES.has(raw.toLowerCase())) {
      oidc.push(raw.toLowerCase());
      continue;
    }
    const schemeEnd = raw.indexOf("://");
    const slash = raw.lastIndexOf("/");
    if (slash < 0 || (schemeEnd >= 0 && slash <= schemeEnd + 2)) {
      // A bare permission name belongs to Microsoft Graph; a bare URL has no permission (invalid later).
      resourceScopes.push(
        schemeEnd >= 0 ? { raw, resource: raw, permission: "" } : { raw, resource: GRAPH_RESOURCE, permission: raw },
      );
      continue;
    }
    resourceScopes.push({ raw, resource: raw.slice(0, slash), permission: raw.slice(slash + 1) });
  }
  const resources: string[] = [];
  for (const s of resourceScopes) {
    if (!resources.some((r) => sameResource(r, s.resource))) resources.push(s.resource);
  }
  return { oidc, resourceScopes, resources };
}

/** Resource identity ignores case of scheme/host and a trailing slash. */
export function sameResource(a: string, b: string): boolean {
  return normalizeResource(a) === normalizeResource(b);
}

export function normalizeResource(resource: string): string {
  const trimmed = resource.replace(/\/+$/, "");
  try {
    if (trimmed.includes("://")) {
      const url = new URL(trimmed);
      return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`.toLowerCase();
    }
  } catch {
    // not a URL: compare as text
  }
  return trimmed.toLowerCase();
}

export type ResourceKind =
  | { kind: "dataverse"; audience: string; host: string }
  | { kind: "globaldisco"; audience: string; host: string }
  | { kind: "graph"; audience: string }
  | { kind: "self"; audience: string }
  | { kind: "marketplace"; audience: string }
  | { kind: "unknown"; audience: string };

/** The emulator's own Graph host (https://graph.localhost:PORT), the resource a client names by its service root. */
function isEmulatedGraphResource(resource: string): boolean {
  try {
    const url = new URL(resource);
    return url.protocol === "https:" && url.hostname === GRAPH_HOST && (url.pathname === "/" || url.pathname === "");
  } catch {
    return false;
  }
}

/** What a requested resource is, and the `aud` a token for it carries (the resource as requested). */
export function classifyResource(resource: string, clientId: string): ResourceKind {
  const lower = resource.toLowerCase();
  if (
    normalizeResource(lower) === GRAPH_RESOURCE ||
    lower === GRAPH_APP_ID ||
    lower === "https://graph.microsoft.com/" ||
    isEmulatedGraphResource(lower)
  ) {
    return { kind: "graph", audience: GRAPH_APP_ID };
  }
  if (sameGuid(lower, clientId) || sameGuid(lower.replace(/^api:\/\//, ""), clientId))
    return { kind: "self", audience: clientId };
  // The Marketplace SaaS API, a first-party resource in every organisation (docs/protocol/marketplace.md M-3).
  if (sameGuid(lower, MARKETPLACE_APP_ID)) return { kind: "marketplace", audience: MARKETPLACE_APP_ID };
  if (lower.startsWith("https://")) {
    try {
      const url = new URL(resource);
      if (url.pathname === "/" || url.pathname === "") {
        if (isGlobalDiscoveryResourceHost(url.hostname))
          return { kind: "globaldisco", audience: resource, host: url.hostname };
        if (isDataverseResourceHost(url.hostname)) return { kind: "dataverse", audience: resource, host: url.hostname };
      }
    } catch {
      return { kind: "unknown", audience: resource };
    }
  }
  return { kind: "unknown", audience: resource };
}

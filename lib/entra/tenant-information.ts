import "server-only";

// A customer tenant's organisation name from Microsoft Graph: findTenantInformationByTenantId, called app-only from
// the ISV's own tenant (docs/protocol/entra.md "Organisation names"). Never throws: a refusal or an unreachable Graph
// is an answer the caller falls back from (the tenant's domain stays on the pages).
import { z } from "zod";
import { config } from "@/lib/config";
import { graphAppToken } from "@/lib/entra/msal";
import { outboundFetch } from "@/lib/http/outbound";

export type TenantInformation =
  | { found: true; displayName: string; defaultDomainName: string | null }
  | { found: false; reason: "not-configured" | "refused" | "not-found" | "unreachable" | "malformed"; detail: string };

const tenantInformation = z.object({
  displayName: z.string().trim().min(1).max(256),
  defaultDomainName: z.string().nullish(),
});

export async function findTenantInformation(tenantId: string): Promise<TenantInformation> {
  const { graphUrl } = config();
  if (!graphUrl)
    return { found: false, reason: "not-configured", detail: "no Microsoft Graph for this cloud (GRAPH_URL)" };
  let token: string;
  try {
    token = (await graphAppToken(graphUrl)).accessToken;
  } catch (error) {
    return {
      found: false,
      reason: "refused",
      detail: `no Graph token: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const url = `${graphUrl}/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='${encodeURIComponent(tenantId)}')`;
  let response: Awaited<ReturnType<typeof outboundFetch>>;
  try {
    response = await outboundFetch("graph", url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
  } catch (error) {
    return { found: false, reason: "unreachable", detail: error instanceof Error ? error.message : String(error) };
  }
  const text = await response.text();
  if (response.status === 404) return { found: false, reason: "not-found", detail: `Graph answered 404` };
  if (!response.ok) {
    const code = /"code"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? "";
    return {
      found: false,
      reason: response.status === 401 || response.status === 403 ? "refused" : "unreachable",
      detail: `Graph answered ${response.status} ${code}`.trim(),
    };
  }
  let parsed: z.infer<typeof tenantInformation>;
  try {
    parsed = tenantInformation.parse(JSON.parse(text));
  } catch {
    return { found: false, reason: "malformed", detail: "Graph's answer has no displayName" };
  }
  return { found: true, displayName: parsed.displayName, defaultDomainName: parsed.defaultDomainName ?? null };
}

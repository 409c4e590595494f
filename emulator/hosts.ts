/**
 * Host names: the emulator serves everything on one port and routes by Host header.
 *
 * - Entra authority:   https://127.0.0.1:PORT   (alias https://localhost:PORT)
 * - Dataverse org:     https://<org>.<crmN>.dynamics.localhost:PORT  and  https://<org>.api.<crmN>.dynamics.localhost:PORT
 * - Global discovery:  https://globaldisco.crm.dynamics.localhost:PORT
 * - Marketplace API:   https://marketplaceapi.localhost:PORT/api  (the SaaS Fulfillment API v2)
 *
 * `*.localhost` resolves to loopback by RFC 6761 (browsers do it; Node clients need a lookup hook).
 */
import type { Environment } from "./scenario";

export const DATAVERSE_SUFFIX = "dynamics.localhost";
export const GLOBAL_DISCOVERY_HOST = `globaldisco.crm.${DATAVERSE_SUFFIX}`;
/** Microsoft Graph (only what the portal calls: docs/protocol/entra.md "Organisation names"). */
export const GRAPH_HOST = "graph.localhost";
/** The commercial marketplace's SaaS Fulfillment API (marketplaceapi.microsoft.com; docs/protocol/marketplace.md). */
export const MARKETPLACE_API_HOST = "marketplaceapi.localhost";
/**
 * Key Vaults: https://<vault>.vault.localhost:PORT. The SDK requires the vault's host to end with "." + the host of
 * the resource its 401 challenge names (docs/protocol/identity.md V2), so the emulator's vault resource is
 * https://vault.localhost, as Azure's is https://vault.azure.net for *.vault.azure.net.
 */
export const VAULT_SUFFIX = "vault.localhost";
export const VAULT_RESOURCE = `https://${VAULT_SUFFIX}`;

export type HostKind =
  | { kind: "entra" }
  | { kind: "dataverse"; org: string; region: string; api: boolean }
  | { kind: "globaldisco" }
  | { kind: "graph" }
  | { kind: "marketplace" }
  | { kind: "keyvault"; vault: string }
  | { kind: "unknown" };

const DATAVERSE_HOST = /^([a-z0-9][a-z0-9-]*)\.(api\.)?(crm\d*)\.dynamics\.localhost$/;

export function classifyHost(hostname: string): HostKind {
  const host = hostname.toLowerCase();
  if (host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1") return { kind: "entra" };
  if (host === GLOBAL_DISCOVERY_HOST) return { kind: "globaldisco" };
  if (host === GRAPH_HOST) return { kind: "graph" };
  if (host === MARKETPLACE_API_HOST) return { kind: "marketplace" };
  const vault = /^([a-z0-9-]+)\.vault\.localhost$/.exec(host);
  if (vault) return { kind: "keyvault", vault: vault[1] ?? "" };
  const match = DATAVERSE_HOST.exec(host);
  if (match) return { kind: "dataverse", org: match[1] ?? "", api: Boolean(match[2]), region: match[3] ?? "crm" };
  return { kind: "unknown" };
}

/**
 * Is this resource a Dataverse org (any `<org>.(api.)?crmN.dynamics.{localhost,com}`)? Entra issues
 * tokens for any such host without checking that the org exists (docs/protocol/entra.md A3.3, the Dynamics CRM
 * service principal's wildcard names).
 */
export function isDataverseResourceHost(hostname: string): boolean {
  return /^[a-z0-9][a-z0-9-]*\.(api\.)?crm\d*\.dynamics\.(localhost|com)$/i.test(hostname);
}

export function isGlobalDiscoveryResourceHost(hostname: string): boolean {
  return /^globaldisco\.crm\d*\.dynamics\.(localhost|com)$/i.test(hostname);
}

export function environmentHost(env: Pick<Environment, "name" | "region">, api = false): string {
  return `${env.name}.${api ? "api." : ""}${env.region}.${DATAVERSE_SUFFIX}`;
}

export function environmentOrigin(env: Pick<Environment, "name" | "region">, port: number, api = false): string {
  return `https://${environmentHost(env, api)}:${port}`;
}

export function graphOrigin(port: number): string {
  return `https://${GRAPH_HOST}:${port}`;
}

export function marketplaceApiOrigin(port: number): string {
  return `https://${MARKETPLACE_API_HOST}:${port}`;
}

export function vaultOrigin(vaultName: string, port: number): string {
  return `https://${vaultName}.${VAULT_SUFFIX}:${port}`;
}

export function globalDiscoveryOrigin(port: number): string {
  return `https://${GLOBAL_DISCOVERY_HOST}:${port}`;
}

/** DNS names the server certificate must cover for a set of environments. */
export function certificateDnsNames(
  environments: Pick<Environment, "name" | "region">[],
  vaultNames: string[] = [],
): string[] {
  const names = [
    "localhost",
    GLOBAL_DISCOVERY_HOST,
    GRAPH_HOST,
    MARKETPLACE_API_HOST,
    ...vaultNames.map((v) => `${v}.${VAULT_SUFFIX}`),
  ];
  if (environments.length > WILDCARD_FROM_ENVIRONMENTS) {
    // Two names per environment make the certificate outgrow what a TLS client accepts in one handshake message
    // (OpenSSL: "excessive message size", seen with 10,000 environments in `npm run bench -- recheck`). Large
    // scenarios get one wildcard per region instead; the usual ones keep exact names, as Microsoft's own
    // certificates for *.crm.dynamics.com are wildcards anyway.
    for (const region of new Set(environments.map((e) => e.region)))
      names.push(`*.${region}.${DATAVERSE_SUFFIX}`, `*.api.${region}.${DATAVERSE_SUFFIX}`);
    return [...new Set(names)];
  }
  for (const env of environments) names.push(environmentHost(env), environmentHost(env, true));
  return [...new Set(names)];
}

/** Above this many environments the server certificate names each region by a wildcard (certificateDnsNames). */
export const WILDCARD_FROM_ENVIRONMENTS = 500;

/** crmN → Dataverse geo (docs/protocol/dataverse.md B1 region table). */
export const REGION_GEOS: Record<string, string> = {
  crm: "NAM",
  crm2: "SAM",
  crm3: "CAN",
  crm4: "EUR",
  crm5: "APJ",
  crm6: "OCE",
  crm7: "JPN",
  crm8: "IND",
  crm9: "GCC",
  crm11: "GBR",
  crm12: "FRA",
  crm14: "ZAF",
  crm15: "UAE",
  crm16: "GER",
  crm17: "CHE",
};

/**
 * The host suffixes a portal pointed at the emulator allows for environment URLs (its
 * DATAVERSE_ALLOWED_HOST_SUFFIXES): every region, crm … crm21, under dynamics.localhost.
 */
export const EMULATED_DATAVERSE_HOST_SUFFIXES = ["crm", ...Array.from({ length: 20 }, (_, i) => `crm${i + 2}`)].map(
  (r) => `${r}.${DATAVERSE_SUFFIX}`,
);

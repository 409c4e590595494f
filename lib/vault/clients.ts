import "server-only";

// Key Vault's data plane through Microsoft's own clients (@azure/keyvault-secrets, -certificates): one client per
// vault and kind, signed in as config's Key Vault identity (a managed identity of the host by default), sending
// through the portal's outbound door. The SDK follows the vault's 401 challenge to learn the authority and the
// resource, and checks that the resource's host is the vault's own domain (docs/protocol/identity.md V2).
import { CertificateClient } from "@azure/keyvault-certificates";
import { SecretClient } from "@azure/keyvault-secrets";
import { earlySettings, type KeyVaultIdentity } from "@/lib/config";
import { azureCredential, outboundHttpClient } from "@/lib/http/azure-sdk";

const holder = globalThis as unknown as { portalVaultClients?: Map<string, SecretClient | CertificateClient> };
const clients = (holder.portalVaultClients ??= new Map());

function identity(): KeyVaultIdentity {
  return earlySettings().keyVaultIdentity;
}

export function secretClient(vaultUrl: string): SecretClient {
  const key = `secrets ${vaultUrl}`;
  let client = clients.get(key) as SecretClient | undefined;
  if (!client) {
    client = new SecretClient(vaultUrl, azureCredential(identity()), { httpClient: outboundHttpClient("vault") });
    clients.set(key, client);
  }
  return client;
}

export function certificateClient(vaultUrl: string): CertificateClient {
  const key = `certificates ${vaultUrl}`;
  let client = clients.get(key) as CertificateClient | undefined;
  if (!client) {
    client = new CertificateClient(vaultUrl, azureCredential(identity()), { httpClient: outboundHttpClient("vault") });
    clients.set(key, client);
  }
  return client;
}

/**
 * Microsoft's answer in one line, never a value: Key Vault's status, code and message (a 403's message spans
 * several lines), or the identity's own error (the managed identity endpoint could not give a token).
 */
export function vaultErrorLine(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
    const message = typeof e.message === "string" ? e.message : String(error);
    const head = [
      typeof e.statusCode === "number" ? String(e.statusCode) : null,
      typeof e.code === "string" ? e.code : null,
    ]
      .filter(Boolean)
      .join(" ");
    return `${head ? `${head}: ` : ""}${message}`.replace(/\s*[\r\n]+\s*/g, " ").trim();
  }
  return String(error);
}

import "server-only";

// Microsoft's Azure SDK clients (@azure/identity, @azure/keyvault-*) send their requests through the portal's one
// outbound door (lib/http/outbound.ts): the same timeout, no redirects, one log line per call, counted per check —
// and, in demo mode, the emulator's *.localhost hosts resolve to loopback as for every other call.
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { KeyVaultIdentity } from "@/lib/config";
import { outboundFetch, type OutboundService } from "@/lib/http/outbound";

/** An HttpClient for an Azure SDK client's pipeline, over outboundFetch. */
export function outboundHttpClient(service: OutboundService): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      if (request.body !== undefined && request.body !== null && typeof request.body !== "string")
        throw new Error("only text request bodies are sent to Azure services");
      // The Azure clients the portal uses send only these.
      if (request.method === "HEAD" || request.method === "OPTIONS" || request.method === "TRACE")
        throw new Error(`${request.method} is not sent to Azure services`);
      const response = await outboundFetch(service, request.url, {
        method: request.method,
        headers: request.headers.toJSON({ preserveCase: true }),
        ...(typeof request.body === "string" ? { body: request.body } : {}),
      });
      return {
        request,
        status: response.status,
        headers: createHttpHeaders(Object.fromEntries(response.headers)),
        bodyAsText: await response.text(),
      };
    },
  };
}

// One credential object per identity and process (msal-node keeps the managed identity's tokens per process anyway).
const holder = globalThis as unknown as { portalAzureCredentials?: Map<string, TokenCredential> };
const credentials = (holder.portalAzureCredentials ??= new Map());

/**
 * The credential for an identity of the portal's host: a managed identity (App Service / Container Apps find it
 * through IDENTITY_ENDPOINT and IDENTITY_HEADER, which the platform sets), or DefaultAzureCredential (environment,
 * workload identity, managed identity, Azure CLI… — for a developer's machine).
 */
export function azureCredential(identity: KeyVaultIdentity): TokenCredential {
  const key = identity.kind === "user-assigned" ? `user:${identity.clientId}` : identity.kind;
  let credential = credentials.get(key);
  if (!credential) {
    const httpClient = outboundHttpClient("identity");
    credential =
      identity.kind === "default"
        ? new DefaultAzureCredential({ httpClient })
        : new ManagedIdentityCredential(
            identity.kind === "user-assigned" ? { clientId: identity.clientId, httpClient } : { httpClient },
          );
    credentials.set(key, credential);
  }
  return credential;
}

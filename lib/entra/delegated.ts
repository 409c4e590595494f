import "server-only";

// Delegated tokens by incremental consent (docs/protocol/entra.md "Incremental consent"): the signed-in
// administrator is sent once more to Microsoft for one resource (Global Discovery, or one environment), with
// PKCE, a single-use state and their own login hint, and the code is redeemed here. Each redemption uses a new
// MSAL client whose cache is dropped with it: the token serves the request that asked for it and nothing else —
// never stored, never logged, never sent to the browser.
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { credentialRejected, msalConfiguration, readyCredentialsToTry } from "@/lib/entra/msal";
import { capturedEntraError, clearCapturedEntraError, withEntraErrorCapture } from "@/lib/entra/token-errors";

/** The one delegated permission the portal asks for, on a Dataverse environment or on Global Discovery. */
export function userImpersonationScope(resourceOrigin: string): string {
  return `${resourceOrigin}/user_impersonation`;
}

export async function newPkcePair(): Promise<{ verifier: string; challenge: string }> {
  return new CryptoProvider().generatePkceCodes();
}

export async function delegatedAuthorizationUrl(input: {
  tenantId: string;
  scope: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  loginHint: string | null;
}): Promise<string> {
  const [first] = await readyCredentialsToTry();
  return new ConfidentialClientApplication(msalConfiguration(input.tenantId, first!.credential)).getAuthCodeUrl({
    scopes: [input.scope],
    redirectUri: input.redirectUri,
    state: input.state,
    codeChallenge: input.codeChallenge,
    codeChallengeMethod: "S256",
    responseMode: "query",
    ...(input.loginHint ? { loginHint: input.loginHint } : {}),
  });
}

/**
 * Redeems the code for an access token for `scope`; the client and its cache are discarded on return. When Entra
 * rejects the app's credential (7000215 / 7000222 / 700027) the same code is redeemed with the other credential:
 * client authentication fails before the code is looked at, so the code is still unused.
 */
export async function redeemDelegatedCode(input: {
  tenantId: string;
  scope: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
}): Promise<{ accessToken: string; tenantId: string; objectId: string | null }> {
  return withEntraErrorCapture(async () => {
    const order = await readyCredentialsToTry();
    for (const [index, credential] of order.entries()) {
      try {
        const result = await new ConfidentialClientApplication(
          msalConfiguration(input.tenantId, credential.credential),
        ).acquireTokenByCode({
          scopes: [input.scope],
          redirectUri: input.redirectUri,
          code: input.code,
          codeVerifier: input.codeVerifier,
        });
        if (!result?.accessToken) throw new Error("Entra ID returned no access token");
        return { accessToken: result.accessToken, tenantId: result.tenantId, objectId: result.uniqueId || null };
      } catch (error) {
        const next = order[index + 1] ?? null;
        if ((await credentialRejected(credential, capturedEntraError(), next, "delegated")) && next) {
          clearCapturedEntraError();
          continue;
        }
        throw error;
      }
    }
    throw new Error("Entra ID application is not configured");
  });
}

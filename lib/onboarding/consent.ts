import "server-only";

// Admin consent, proven server-side. The callback's `tenant` parameter can be forged (docs/protocol/entra.md A3.1), so
// the tenant counts as consented only once the server obtains a client-credentials token for the
// signed-in tenant. Right after consent, Entra may still be replicating the new service principal
// (AADSTS700016 for seconds to a minute, docs/protocol/pitfalls.md C5): the verification page retries with backoff.
import { config, type PortalConfig } from "@/lib/config";
import { diagnoseTokenFailure, type Diagnosis } from "@/lib/checks/diagnoses";
import type { TenantScope } from "@/lib/data/scope";
import { markConsentVerified } from "@/lib/data/tenants";
import { consentProofToken } from "@/lib/entra/msal";
import { capturedEntraError, withEntraErrorCapture, type EntraErrorDetail } from "@/lib/entra/token-errors";
import { CONSENT_CALLBACK_PATH } from "@/lib/entra/consent-links";

/** How long after the callback the portal keeps trying (replication lag is "up to about a minute"). */
export const CONSENT_VERIFY_WINDOW_MS = 75_000;
/** Delays between attempts, in ms; the page shows the attempt number and the next delay. */
export const CONSENT_VERIFY_BACKOFF_MS = [0, 2_000, 3_000, 5_000, 8_000, 12_000, 15_000, 15_000, 15_000];

export function adminConsentUrl(c: PortalConfig, tenantId: string, state: string, origin: string): string {
  if (!c.entra.clientId) throw new Error("Entra ID application is not configured");
  // v2 admin consent for the signed-in tenant (never `common`); /.default consents to the registration's
  // static permissions (docs/protocol/entra.md A3.1, A3.3).
  const url = new URL(`/${tenantId}/v2.0/adminconsent`, c.entra.authorityHost);
  url.searchParams.set("client_id", c.entra.clientId);
  url.searchParams.set("scope", "https://graph.microsoft.com/.default");
  url.searchParams.set("redirect_uri", new URL(CONSENT_CALLBACK_PATH, c.publicUrl ?? origin).toString());
  url.searchParams.set("state", state);
  return url.toString();
}

export type ConsentVerification =
  | { verified: true }
  | { verified: false; retryable: boolean; explanation: Diagnosis; entra: EntraErrorDetail | null };

export async function attemptConsentVerification(scope: TenantScope, attempt: number): Promise<ConsentVerification> {
  const c = config();
  return withEntraErrorCapture(async () => {
    try {
      await consentProofToken(scope.tenantId);
    } catch (error) {
      const entra = capturedEntraError();
      // 700016 is what replication lag looks like; anything else will not get better by waiting.
      const retryable = entra?.aadstsCode === 700016 || entra === null;
      return { verified: false, retryable, explanation: diagnoseTokenFailure({ branding: c.branding, roleName: c.dataverse.roleName, clientId: c.entra.clientId }, entra, error), entra };
    }
    await markConsentVerified(scope, attempt);
    return { verified: true };
  });
}

import "server-only";

// Admin consent, proven server-side. The callback's `tenant` parameter can be forged (docs/protocol/entra.md A3.1),
// and a service principal alone proves nothing (a user's own consent creates one), so the tenant counts as
// consented only once a fresh token of the app for the signed-in tenant carries the application permission the
// app requires of itself — which only an administrator's consent grants (docs/protocol/entra.md "Proving admin
// consent"). Right after consent Entra may still be replicating (AADSTS700016 or 7000229 for seconds to
// minutes, docs/protocol/pitfalls.md C5, E): the verification page retries with backoff and visible progress.
import { config, type PortalConfig } from "@/lib/config";
import { diagnoseTokenFailure, type Diagnosis } from "@/lib/checks/diagnoses";
import type { TenantScope } from "@/lib/data/scope";
import { expirePendingConsents, markConsentVerified, noteConsentNotProven } from "@/lib/data/tenants";
import { consentProofToken } from "@/lib/entra/msal";
import { capturedEntraError, withEntraErrorCapture, type EntraErrorDetail } from "@/lib/entra/token-errors";
import { rolesIn } from "@/lib/entra/consent-proof";
import { describeAdministrators } from "@/lib/auth/customer-roles";
import { possessive } from "@/lib/text";
import { CONSENT_CALLBACK_PATH } from "@/lib/entra/consent-links";

/** How long after the callback the portal keeps trying: replication is usually a minute, and can take several. */
export const CONSENT_VERIFY_WINDOW_MS = 5 * 60_000;
/** Entra's answers while the new service principal replicates: wait and retry, nobody's fault. */
const REPLICATION_CODES = new Set([700016, 7000229]);
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
  { verified: true } | { verified: false; retryable: boolean; explanation: Diagnosis; entra: EntraErrorDetail | null };

export async function attemptConsentVerification(
  scope: TenantScope,
  attempt: number,
  grantedBy: { objectId: string; name: string | null } | null,
): Promise<ConsentVerification> {
  const c = config();
  const context = { branding: c.branding, roleName: c.dataverse.roleName, clientId: c.entra.clientId };
  return withEntraErrorCapture(async () => {
    let token: { accessToken: string };
    try {
      token = await consentProofToken(scope.tenantId);
    } catch (error) {
      const entra = capturedEntraError();
      // Replication looks like 700016 / 7000229; anything else will not get better by waiting.
      const retryable = entra === null || (entra.aadstsCode !== null && REPLICATION_CODES.has(entra.aadstsCode));
      const explanation = diagnoseTokenFailure(context, entra, error);
      await noteConsentNotProven(scope, explanation.cause);
      return { verified: false, retryable, explanation, entra };
    }
    // Read, not validated: the token came straight from Entra over TLS in answer to this request, and it is the
    // app's own token (the portal is its audience); what matters is what Entra put in it.
    if (!rolesIn(token.accessToken).includes(c.entra.consentAppRole)) {
      const explanation: Diagnosis = {
        id: "admin-consent-not-proven",
        microsoftCode: null,
        cause: `${c.branding.appName} has an enterprise application in your organisation, but no administrator has consented to it: Microsoft's token for it does not carry the "${c.entra.consentAppRole}" permission, which only admin consent grants. (A user accepting ${possessive(c.branding.appName)} sign-in prompt for themselves creates the enterprise application, not the consent.)`,
        fix: `${describeAdministrators(c.entra.customerAdminRoleIds).replace(/^a /, "A ")} of your organisation grants admin consent: Admin consent → Grant admin consent, then Accept on Microsoft's page.`,
        vendorFault: false,
      };
      await noteConsentNotProven(scope, explanation.cause);
      // An administrator's consent right after a user's may still be replicating to the token service.
      return { verified: false, retryable: true, explanation, entra: null };
    }
    await markConsentVerified(scope, attempt, grantedBy);
    return { verified: true };
  });
}

/**
 * Microsoft's "granted" is only a claim (a forged or mistaken callback says it too): a tenant that has waited for
 * proof longer than CONSENT_VERIFICATION_TIMEOUT_MINUTES is not granted, with the reason, audited. Run by the queue's
 * per-minute plan for every tenant, and for the customer's own tenant when they open its pages.
 */
export async function expireUnprovenConsents(scope?: TenantScope, now = new Date()): Promise<string[]> {
  const c = config();
  const minutes = c.consentVerificationTimeoutMinutes;
  const reasonFor = (last: string | null) =>
    `Microsoft's answer said consent was granted, but ${c.branding.appName} could not prove it within ${minutes} minutes${last ? `. The last check found: ${last}` : "."}`;
  return expirePendingConsents(
    new Date(now.getTime() - minutes * 60_000),
    reasonFor,
    { timeoutMinutes: minutes },
    scope?.tenantId,
  );
}

import "server-only";

// Proof that a tenant's admin consent still stands, from a token requested afresh (never from MSAL's cache). An
// access token issued before consent was removed stays valid until it expires, so a cached token proves nothing
// about now; Entra refuses a new one once the enterprise application is gone (AADSTS700016), and the app's own
// token carries the admin-only application permission only while the administrator's grant stands
// (docs/protocol/entra.md "Proving admin consent", "Consent removed").
import { decodeJwt } from "jose";
import { config } from "@/lib/config";
import { consentProofToken } from "@/lib/entra/msal";
import { capturedEntraError, withEntraErrorCapture, type EntraErrorDetail } from "@/lib/entra/token-errors";

/** Entra's answers when the app has no service principal in the tenant (consent never given, or removed). */
export const NO_SERVICE_PRINCIPAL_CODES: ReadonlySet<number> = new Set([700016, 7000229]);

export type ConsentProof =
  /** Entra issued a fresh token; `roleGranted`: it carries the admin-only permission the app requires of itself. */
  | { ok: true; roleGranted: boolean }
  /** Entra refused (or could not be reached); `entra` is its error answer, when it gave one. */
  | { ok: false; error: unknown; entra: EntraErrorDetail | null };

/** The application permissions a token of the app carries (`roles`); none when it cannot be read. */
export function rolesIn(accessToken: string): string[] {
  try {
    const roles = decodeJwt(accessToken).roles;
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}

/**
 * One fresh token request for the app's own resource in the tenant. Never throws. Runs in its own error capture,
 * so that its answer is never mistaken for that of another token request of the same check.
 */
export function proveConsent(tenantId: string): Promise<ConsentProof> {
  return withEntraErrorCapture(async () => {
    try {
      const { accessToken } = await consentProofToken(tenantId);
      return { ok: true, roleGranted: rolesIn(accessToken).includes(config().entra.consentAppRole) };
    } catch (error) {
      return { ok: false, error, entra: capturedEntraError() };
    }
  });
}

/** The proof says consent is gone: no service principal any more, or the admin-only permission withdrawn. */
export function consentGone(proof: ConsentProof): boolean {
  if (proof.ok) return !proof.roleGranted;
  const code = proof.entra?.aadstsCode;
  return code !== null && code !== undefined && NO_SERVICE_PRINCIPAL_CODES.has(code);
}

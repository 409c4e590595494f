import "server-only";

// Staff are told when Entra rejected one of the app's own credentials and the portal fell back to the other: once
// per credential and rejection code, not per request, across replicas and workers (the notice first claims a
// CredentialNotice row by a unique key, and only the claimer audits and e-mails). Called by ./msal.ts.
import { audit } from "@/lib/audit";
import { config } from "@/lib/config";
import { claimCredentialNotice } from "@/lib/data/credential-notices";
import { credentialLabel, type KnownCredential } from "@/lib/entra/credentials";
import { logger } from "@/lib/log";
import { queueMail } from "@/lib/notifications";

const REASONS: Record<number, string> = {
  7000215: "AADSTS7000215: the secret is not one of the app registration's secrets (wrong value, or removed)",
  7000222: "AADSTS7000222: the secret has expired",
  700027: "AADSTS700027: the certificate or its assertion was not accepted (not registered, expired or wrong key)",
  700024: "AADSTS700024: the client assertion was outside its valid time range",
  70021: "AADSTS70021: no federated credential of the app registration matches the managed identity's token",
  700211:
    "AADSTS700211: no federated credential of the app registration has the token's issuer (removed, or another tenant)",
  700212:
    "AADSTS700212: no federated credential of the app registration has the token's audience (api://AzureADTokenExchange)",
  700213:
    "AADSTS700213: no federated credential of the app registration has the token's subject (the managed identity's object id)",
  7002138:
    "AADSTS7002138: the federated credential's subject differs from the managed identity's object id in case only",
  700226: "AADSTS700226: the assertion is not a managed identity's token",
};

export type FallbackNotice = {
  rejected: KnownCredential;
  code: number;
  /** The credential that was tried next (null: none left). */
  next: KnownCredential | null;
  /** Which token request fell back: app-only, consent proof, delegated code redemption or sign-in. */
  request: "app-token" | "consent-proof" | "delegated" | "sign-in";
};

/** Audits and e-mails a fallback once per rejected credential and code. Never throws: the token request goes on. */
export async function noteCredentialFallback(notice: FallbackNotice): Promise<void> {
  const label = credentialLabel(notice.rejected.credential);
  const nextLabel = notice.next ? credentialLabel(notice.next.credential) : null;
  try {
    const claimed = await claimCredentialNotice({
      key: `fallback:${notice.rejected.id}:${notice.code}`,
      kind: "fallback",
      credentialId: notice.rejected.id,
      details: { code: notice.code, request: notice.request },
    });
    logger().warn(
      {
        credential: notice.rejected.id,
        aadsts: notice.code,
        request: notice.request,
        fallbackTo: notice.next?.id ?? null,
        firstTime: claimed,
      },
      "Entra ID rejected a credential of the app",
    );
    if (!claimed) return;
    await audit({
      actor: { kind: "SYSTEM", name: "credential rotation" },
      tenantId: null,
      action: "credential.fallback",
      target: { type: "credential", id: notice.rejected.id },
      details: { credential: label, code: notice.code, fallbackTo: nextLabel, request: notice.request },
    });
    const { appName, supportEmail } = config().branding;
    await queueMail({
      tenantId: null,
      kind: "credential.fallback",
      recipients: [supportEmail],
      subject: `${appName}: Entra ID rejected ${label}${nextLabel ? `; now using ${nextLabel}` : "; no other credential works"}`,
      text:
        `Entra ID rejected the portal's ${label}.\n\nWhy: ${REASONS[notice.code] ?? `AADSTS${notice.code}`}.\n\n` +
        (nextLabel
          ? `The portal now uses ${nextLabel}, so customers' connections keep working. Replace or remove the rejected credential (app registration → Certificates & secrets) and redeploy, so that the next rotation again has two.\n`
          : "No other credential is configured or valid: the portal cannot obtain tokens. Add a new credential to the app registration and deploy it now.\n") +
        `\nCredential id: ${notice.rejected.id} (never the secret itself). This is sent once per credential and error.`,
    });
  } catch (error) {
    logger().error(
      { err: error instanceof Error ? error.message : String(error) },
      "credential fallback notice could not be recorded",
    );
  }
}

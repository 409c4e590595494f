import "server-only";

// Staff are told about the app's own credentials for Entra ID: when Entra rejected one and the portal fell back to
// the other (once per credential and rejection code, not per request), and 30, 7 and 1 days before each one
// expires (a daily job on the queue, lib/monitoring/worker.ts). "Once" holds across replicas and workers: each
// notice first claims a CredentialNotice row by a unique key, and only the claimer audits and e-mails.
import { audit } from "@/lib/audit";
import { config, type ClientCredential } from "@/lib/config";
import { claimCredentialNotice } from "@/lib/data/credential-notices";
import { credentialLabel, describeCredential, type KnownCredential } from "@/lib/entra/credentials";
import { logger } from "@/lib/log";
import { queueMail } from "@/lib/monitoring/mail";
import { QUEUES } from "@/lib/monitoring/queue";
import type PgBoss from "pg-boss";
import { utcDateTime } from "@/lib/text";

/** Days before expiry at which staff are reminded. */
export const EXPIRY_REMINDER_DAYS = [30, 7, 1] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

const REASONS: Record<number, string> = {
  7000215: "AADSTS7000215: the secret is not one of the app registration's secrets (wrong value, or removed)",
  7000222: "AADSTS7000222: the secret has expired",
  700027: "AADSTS700027: the certificate or its assertion was not accepted (not registered, expired or wrong key)",
  700024: "AADSTS700024: the client assertion was outside its valid time range",
  70021: "AADSTS70021: no federated credential of the app registration matches the managed identity's token",
  700211: "AADSTS700211: no federated credential of the app registration has the token's issuer (removed, or another tenant)",
  700212: "AADSTS700212: no federated credential of the app registration has the token's audience (api://AzureADTokenExchange)",
  700213: "AADSTS700213: no federated credential of the app registration has the token's subject (the managed identity's object id)",
  7002138: "AADSTS7002138: the federated credential's subject differs from the managed identity's object id in case only",
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
    logger().warn({ credential: notice.rejected.id, aadsts: notice.code, request: notice.request, fallbackTo: notice.next?.id ?? null, firstTime: claimed }, "Entra ID rejected a credential of the app");
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
    logger().error({ err: error instanceof Error ? error.message : String(error) }, "credential fallback notice could not be recorded");
  }
}

/**
 * The daily reminder run: for each configured credential whose expiry is within 30, 7 or 1 days (and not past),
 * e-mails staff once for the nearest threshold crossed. The thresholds farther out are claimed silently with it, so a
 * credential deployed 5 days before its end gets one reminder (7 days), not two. Returns the reminders it sent.
 */
export async function sendExpiryReminders(now = new Date(), credentials: readonly ClientCredential[] = config().entra.credentials): Promise<Array<{ credentialId: string; days: number }>> {
  const sent: Array<{ credentialId: string; days: number }> = [];
  for (const credential of credentials) {
    const known = describeCredential(credential);
    if (!known.expiresAt) continue;
    const leftMs = known.expiresAt.getTime() - now.getTime();
    if (leftMs <= 0) continue;
    const crossed = EXPIRY_REMINDER_DAYS.filter((days) => leftMs <= days * DAY_MS);
    const nearest = crossed.at(-1);
    if (nearest === undefined) continue;
    const keyOf = (days: number) => `expiry:${known.id}:${known.expiresAt!.toISOString()}:${days}`;
    const claimed = await claimCredentialNotice({ key: keyOf(nearest), kind: "expiry", credentialId: known.id, details: { days: nearest, expiresAt: known.expiresAt.toISOString() } });
    if (!claimed) continue;
    for (const days of crossed) if (days !== nearest) await claimCredentialNotice({ key: keyOf(days), kind: "expiry", credentialId: known.id, details: { days, expiresAt: known.expiresAt.toISOString(), skipped: true } });
    const label = credentialLabel(credential);
    const daysLeft = Math.ceil(leftMs / DAY_MS);
    const { appName, supportEmail } = config().branding;
    await audit({ actor: { kind: "SYSTEM", name: "credential rotation" }, tenantId: null, action: "credential.expiry_reminder", target: { type: "credential", id: known.id }, details: { credential: label, days: nearest, expiresAt: known.expiresAt.toISOString() } });
    await queueMail({
      tenantId: null,
      kind: "credential.expiry",
      recipients: [supportEmail],
      subject: `${appName}: ${label} expires in ${daysLeft} day${daysLeft === 1 ? "" : "s"}`,
      text:
        `The portal's ${label} expires on ${utcDateTime(known.expiresAt)}.\n\n` +
        "Add a new credential to the app registration (Certificates & secrets), configure it as the second credential and redeploy before then; " +
        "the portal uses the newest valid one and falls back to the other, so no connection stops.\n\n" +
        `Reminders are sent ${EXPIRY_REMINDER_DAYS.join(", ")} days before expiry. Credential id: ${known.id}.`,
    });
    sent.push({ credentialId: known.id, days: nearest });
  }
  return sent;
}

/** The cron of the daily reminder run (UTC). */
export const EXPIRY_REMINDER_CRON = "0 7 * * *";

/**
 * Puts the daily reminder run on the queue: a cron job (pg-boss runs each scheduled job once across every process
 * that keeps its clock) and one run now, so that a new deployment learns on its first day. Each reminder claims its
 * unique row first, so the extra run, a second worker or a retried job sends nothing twice. Returns the id of the
 * run queued now (null when one is already queued by another process within the hour).
 */
export async function startCredentialReminders(boss: PgBoss): Promise<string | null> {
  await boss.schedule(QUEUES.credentialReminders, EXPIRY_REMINDER_CRON);
  await boss.work(QUEUES.credentialReminders, { pollingIntervalSeconds: 30 }, async ([job]) => {
    const { observeJob } = await import("@/lib/observability/jobs");
    await observeJob(QUEUES.credentialReminders, { id: job?.id }, () => sendExpiryReminders());
  });
  return boss.send(QUEUES.credentialReminders, {}, { singletonKey: "startup", singletonSeconds: 3600 });
}

import "server-only";

// Staff are told 30, 7 and 1 days before each of the app's own credentials for Entra ID expires (a daily job on the
// queue, lib/worker). "Once" holds across replicas and workers: each reminder first claims a CredentialNotice row by
// a unique key, and only the claimer audits and e-mails. (A fallback after Entra rejected one: lib/entra/fallback-notice.ts.)
import { audit } from "@/lib/audit";
import { config, type ClientCredential } from "@/lib/config";
import { claimCredentialNotice } from "@/lib/data/credential-notices";
import { credentialLabel, describeCredential } from "@/lib/entra/credentials";
import { queueMail } from "@/lib/notifications";
import { QUEUES } from "@/lib/queue";
import type PgBoss from "pg-boss";
import { utcDateTime } from "@/lib/text";

/** Days before expiry at which staff are reminded. */
export const EXPIRY_REMINDER_DAYS = [30, 7, 1] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily reminder run: for each configured credential whose expiry is within 30, 7 or 1 days (and not past),
 * e-mails staff once for the nearest threshold crossed. The thresholds farther out are claimed silently with it, so a
 * credential deployed 5 days before its end gets one reminder (7 days), not two. Returns the reminders it sent.
 */
export async function sendExpiryReminders(
  now = new Date(),
  credentials: readonly ClientCredential[] = config().entra.credentials,
): Promise<Array<{ credentialId: string; days: number }>> {
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
    const claimed = await claimCredentialNotice({
      key: keyOf(nearest),
      kind: "expiry",
      credentialId: known.id,
      details: { days: nearest, expiresAt: known.expiresAt.toISOString() },
    });
    if (!claimed) continue;
    for (const days of crossed)
      if (days !== nearest)
        await claimCredentialNotice({
          key: keyOf(days),
          kind: "expiry",
          credentialId: known.id,
          details: { days, expiresAt: known.expiresAt.toISOString(), skipped: true },
        });
    const label = credentialLabel(credential);
    const daysLeft = Math.ceil(leftMs / DAY_MS);
    const { appName, supportEmail } = config().branding;
    await audit({
      actor: { kind: "SYSTEM", name: "credential rotation" },
      tenantId: null,
      action: "credential.expiry_reminder",
      target: { type: "credential", id: known.id },
      details: { credential: label, days: nearest, expiresAt: known.expiresAt.toISOString() },
    });
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

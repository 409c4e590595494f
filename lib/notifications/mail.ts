import "server-only";

// E-mail through nodemailer over SMTP (SMTP_URL, EMAIL_FROM). Every message is first written to the mail log
// and queued (pg-boss), then sent by the worker; while the SMTP server is down the job is retried with backoff
// and each failed attempt is logged, so nothing is lost and the re-verification that caused it never waits.
import nodemailer from "nodemailer";
import type PgBoss from "pg-boss";
import { config } from "@/lib/config";
import { getMail, recordMailAttempt, recordQueuedMail, type OutgoingMail } from "@/lib/data/mail";
import { QUEUES, queue } from "@/lib/queue";
import { recordMail } from "@/lib/observability/metrics";
import { observeJob } from "@/lib/observability/jobs";

type MailJob = { mailId: string };

export async function queueMail(mail: OutgoingMail): Promise<string> {
  const mailId = await recordQueuedMail(mail);
  // Without an SMTP server the message is only logged (the console's alert log shows it as not sent).
  if (!config().mail) {
    await recordMailAttempt(mailId, { sent: false, error: "SMTP_URL is not set: not sent", final: true });
    return mailId;
  }
  const boss = await queue();
  await boss.send(QUEUES.mail, { mailId } satisfies MailJob);
  return mailId;
}

let transport: nodemailer.Transporter | null = null;
function transporter(smtpUrl: string): nodemailer.Transporter {
  // Short timeouts: a dead server fails the attempt quickly and the queue retries it later.
  transport ??= nodemailer.createTransport(smtpUrl, {
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  } as never);
  return transport;
}

/** Sends one logged message now. Throws when the SMTP server refused it or could not be reached. */
export async function deliverMail(mailId: string, final: boolean): Promise<void> {
  const mail = await getMail(mailId);
  if (!mail || mail.status === "SENT") return;
  const settings = config().mail;
  if (!settings) {
    await recordMailAttempt(mailId, { sent: false, error: "SMTP_URL is not set: not sent", final: true });
    return;
  }
  try {
    await transporter(settings.smtpUrl).sendMail({
      from: settings.from,
      to: mail.recipients,
      subject: mail.subject,
      text: mail.text,
    });
    await recordMailAttempt(mailId, { sent: true });
    recordMail("sent");
  } catch (error) {
    recordMail("failed");
    await recordMailAttempt(mailId, {
      sent: false,
      error: error instanceof Error ? error.message : String(error),
      final,
    });
    throw error;
  }
}

export async function startMailWorker(boss: PgBoss): Promise<void> {
  await boss.work<MailJob>(
    QUEUES.mail,
    { pollingIntervalSeconds: 2, batchSize: 1, includeMetadata: true },
    async ([job]) => {
      if (!job) return;
      await observeJob(QUEUES.mail, { id: job.id }, () =>
        deliverMail(job.data.mailId, job.retryCount >= job.retryLimit),
      );
    },
  );
}

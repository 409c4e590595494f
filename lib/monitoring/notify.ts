import "server-only";

// The one place a health transition is told to people. Called once per transition, after the check that caused it
// is committed (lib/data/checks.ts finishCheck). E-mail alerts and signed webhooks (lib/monitoring/webhooks.ts)
// go from here.
import { logger } from "@/lib/log";
import { config } from "@/lib/config";
import { alertRecipients } from "@/lib/data/mail";
import type { HealthState } from "@/lib/generated/prisma/client";
import { queueMail } from "@/lib/monitoring/mail";
import { publishLifecycleEvent } from "@/lib/monitoring/webhooks";
import type { TransitionKind } from "@/lib/monitoring/health-state";

export type Transition = {
  kind: TransitionKind;
  tenantId: string;
  environmentId: string;
  environmentUrl: string;
  environmentName: string | null;
  checkId: string;
  from: HealthState | null;
  to: HealthState;
  /** In the customer's words; null when healthy again. */
  cause: string | null;
  causeId: string | null;
  consentRemoved: boolean;
  brokenSince: Date | null;
  at: Date;
};

/** The lifecycle event type a transition is published as (null: not published, e.g. degraded). */
export function lifecycleEvent(t: Transition): "connection.ready" | "connection.broken" | "connection.recovered" | "consent.removed" | null {
  if (t.kind === "broken") return t.consentRemoved ? "consent.removed" : "connection.broken";
  if (t.kind === "recovered") return "connection.recovered";
  if (t.kind === "ready") return "connection.ready";
  return null;
}

/** Transitions that are e-mailed: a connection broke (consent removed included) or came back. */
const EMAILED: ReadonlySet<TransitionKind> = new Set(["broken", "recovered"]);

function alertText(t: Transition): { subject: string; text: string } {
  const { appName, vendorName, supportEmail } = config().branding;
  const where = t.environmentName ? `${t.environmentName} (${t.environmentUrl})` : t.environmentUrl;
  const when = t.at.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
  if (t.kind === "recovered") {
    return {
      subject: `${appName}: connection to ${where} is working again`,
      text: `${appName} can reach ${where} again (checked ${when}).\n\nNothing more to do.\n\n${vendorName} · ${supportEmail}`,
    };
  }
  const since = t.brokenSince ? t.brokenSince.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC") : when;
  return {
    subject: `${appName}: ${t.consentRemoved ? "consent removed" : "connection broken"} for ${where}`,
    text: `The connection from ${appName} to ${where} is broken since ${since}.\n\nWhy: ${t.cause ?? "the last check failed."}\n\nSee the details and the fix on your connection page. Questions: ${supportEmail}.\n\n${vendorName}`,
  };
}

/** Queues the alert e-mails of a transition: to the tenant's onboarding administrators (unless they opted out) and to the vendor's support address. */
async function emailAlerts(t: Transition): Promise<void> {
  if (!EMAILED.has(t.kind)) return;
  const { subject, text } = alertText(t);
  const kind = `alert.${lifecycleEvent(t) ?? t.kind}`;
  const customers = await alertRecipients(t.tenantId);
  if (customers.addresses.length) await queueMail({ tenantId: t.tenantId, kind, recipients: customers.addresses, subject, text });
  await queueMail({ tenantId: t.tenantId, kind, recipients: [config().branding.supportEmail], subject: `[tenant ${t.tenantId}] ${subject}`, text: `${text}\n\nTenant: ${t.tenantId}\nEnvironment: ${t.environmentId}\nCheck: ${t.checkId}\nCause id: ${t.causeId ?? "-"}${customers.optedOut ? "\n(The customer opted out of e-mail alerts.)" : ""}` });
}

/**
 * Tells people about one transition, after the check that caused it is committed. Never throws: a channel that
 * fails logs and leaves its own retries to the queue; the re-verification itself is never held up.
 */
export async function notifyTransition(transition: Transition): Promise<void> {
  try {
    await emailAlerts(transition);
  } catch (error) {
    logger().error({ kind: transition.kind, environmentId: transition.environmentId, err: error instanceof Error ? error.message : String(error) }, "alert e-mail could not be queued");
  }
  // Signed webhooks to the ISV's back end. `connection.ready` is published by the check runner on an environment's
  // first working check (lib/checks/run.ts), so it is not published twice from here.
  const type = lifecycleEvent(transition);
  if (type && type !== "connection.ready") {
    await publishLifecycleEvent({
      type,
      tenantId: transition.tenantId,
      environment: { id: transition.environmentId, url: transition.environmentUrl },
      occurredAt: transition.at,
      data: { from: transition.from, to: transition.to, cause: transition.cause, causeId: transition.causeId, brokenSince: transition.brokenSince?.toISOString() ?? null, checkId: transition.checkId },
    });
  }
}

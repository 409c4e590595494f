import "server-only";

// The one place a health transition is told to people. Called once per transition, after the check that caused it
// is committed (lib/data/checks.ts finishCheck). E-mail alerts and signed webhooks (lib/monitoring/webhooks.ts)
// go from here.
import { logger } from "@/lib/log";
import { config } from "@/lib/config";
import { alertRecipientsOf } from "@/lib/data/alert-recipients";
import type { HealthState } from "@/lib/generated/prisma/client";
import { queueMail } from "@/lib/monitoring/mail";
import { publishLifecycleEvent } from "@/lib/monitoring/webhooks";
import type { TransitionKind } from "@/lib/monitoring/health-state";
import { possessive, utcDateTime } from "@/lib/text";

export type Transition = {
  kind: TransitionKind;
  tenantId: string;
  /** The organisation's name (its domain until Microsoft Graph gave the name); null when neither is known. */
  organisationName: string | null;
  environmentId: string;
  environmentUrl: string;
  environmentName: string | null;
  checkId: string;
  from: HealthState | null;
  to: HealthState;
  /** In the customer's words; null when healthy again. */
  cause: string | null;
  /** What to do about it, in the customer's words (the failing step's fix); null when there is nothing to do. */
  fix: string | null;
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

/** Transitions that are e-mailed: connected (first working check), broken (consent removed included), working again. */
const EMAILED: ReadonlySet<TransitionKind> = new Set(["ready", "broken", "recovered"]);
/** Of those, the ones the vendor's support address gets a copy of. */
const COPIED_TO_SUPPORT: ReadonlySet<TransitionKind> = new Set(["broken", "recovered"]);

/** An absolute link into the portal (AUTH_URL, the portal's public URL); null when it is not configured. */
function portalLink(path: string): string | null {
  const base = config().publicUrl;
  return base ? new URL(path, base).toString() : null;
}

/** The alert e-mail of a transition, for the customer or for the vendor's support team (their copy). */
export function alertMail(t: Transition, audience: "customer" | "support"): { subject: string; text: string } {
  const { appName, vendorName, supportEmail } = config().branding;
  const organisation = t.organisationName ?? "your organisation";
  const environment = t.environmentName ?? new URL(t.environmentUrl).host;
  const where = t.environmentName ? `${t.environmentName} (${t.environmentUrl})` : t.environmentUrl;
  const environmentPage = portalLink(`/onboarding/environments/${t.environmentId}`);
  const open = environmentPage
    ? `See the environment and run its check again (sign in as an administrator of ${organisation}):\n${environmentPage}`
    : `See the environment in ${possessive(appName)} onboarding portal: Environments → ${environment}.`;
  const subject =
    t.kind === "ready"
      ? `${appName}: ${environment} is connected`
      : t.kind === "recovered"
        ? `${appName}: connection to ${environment} is working again`
        : `${appName}: ${t.consentRemoved ? "consent removed" : "connection broken"} for ${environment}`;
  let body: string;
  if (t.kind === "ready") {
    const warning = t.to === "DEGRADED" && t.cause ? `\n\nIt works, with a warning: ${t.cause}${t.fix ? `\n\nWhat to do: ${t.fix}` : ""}` : "";
    body = `${appName} is connected to ${where} of ${organisation}: its first connection check passed (${utcDateTime(t.at)}). ${appName} checks the connection again regularly and e-mails the people listed on your connection page if it stops working.${warning}\n\n${open}`;
  } else if (t.kind === "recovered") {
    body = `${appName} can reach ${where} of ${organisation} again (checked ${utcDateTime(t.at)}). Nothing more to do.\n\n${open}`;
  } else {
    body = `The connection from ${appName} to ${where} of ${organisation} is broken since ${utcDateTime(t.brokenSince ?? t.at)}.\n\nWhy: ${t.cause ?? "the last connection check failed."}${t.fix ? `\n\nHow to fix it: ${t.fix}` : ""}\n\n${open}`;
  }
  if (audience === "customer") return { subject, text: `${body}\n\nQuestions: ${supportEmail}.\n\n${vendorName}` };
  const consoleLink = portalLink(`/console/tenants/${t.tenantId}`);
  return {
    subject: `[${t.organisationName ?? t.tenantId}] ${subject}`,
    text: `${body}\n\nFor support: ${t.organisationName ?? "(name not known)"}, tenant ${t.tenantId}\nEnvironment: ${environment} (${t.environmentId})\nCheck: ${t.checkId}\nCause: ${t.causeId ?? "-"}${consoleLink ? `\nConsole: ${consoleLink}` : ""}`,
  };
}

/** Queues the e-mails of a transition: to the tenant's alert recipients (unless it opted out) and, for a break or a recovery, to the vendor's support address. */
async function emailAlerts(t: Transition): Promise<void> {
  if (!EMAILED.has(t.kind)) return;
  const kind = `alert.${lifecycleEvent(t) ?? t.kind}`;
  const customers = await alertRecipientsOf(t.tenantId);
  const addresses = customers.optedOut ? [] : customers.people.map((p) => p.address);
  if (addresses.length) await queueMail({ tenantId: t.tenantId, kind, recipients: addresses, ...alertMail(t, "customer") });
  if (!COPIED_TO_SUPPORT.has(t.kind)) return;
  const copy = alertMail(t, "support");
  const told = customers.optedOut ? "\n(The customer opted out of e-mail alerts.)" : addresses.length ? `\nCustomer told: ${addresses.join(", ")}` : "\n(Nobody of the customer is on the alert list.)";
  await queueMail({ tenantId: t.tenantId, kind, recipients: [config().branding.supportEmail], subject: copy.subject, text: `${copy.text}${told}` });
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

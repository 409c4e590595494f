import "server-only";

// The alert e-mails of a health transition: who gets them and what they say. Queued by the events owner
// (lib/events), once per transition, after the check that caused it is committed.
import { config } from "@/lib/config";
import { alertRecipientsOf } from "@/lib/data/alert-recipients";
import type { HealthState } from "@/lib/generated/prisma/client";
import { queueMail } from "@/lib/notifications/mail";
import { possessive, utcDateTime } from "@/lib/text";

/** The transitions of an environment's health (lib/events TransitionKind). */
type AlertKind = "ready" | "degraded" | "broken" | "recovered";

/**
 * What an alert e-mail says: the facts of a health transition it reads (lib/events hands it its Transition,
 * after the check that caused it is committed).
 */
export type AlertTransition = {
  kind: AlertKind;
  /** Its lifecycle event type (lib/events transitionEvent), the mail's kind: `alert.<event>`. */
  event: string | null;
  tenantId: string;
  organisationName: string | null;
  environmentId: string;
  environmentUrl: string;
  environmentName: string | null;
  checkId: string;
  to: HealthState;
  cause: string | null;
  fix: string | null;
  causeId: string | null;
  consentRemoved: boolean;
  brokenSince: Date | null;
  at: Date;
};

/** Transitions that are e-mailed: connected (first working check), broken (consent removed included), working again. */
const EMAILED: ReadonlySet<AlertKind> = new Set(["ready", "broken", "recovered"]);
/** Of those, the ones the vendor's support address gets a copy of. */
const COPIED_TO_SUPPORT: ReadonlySet<AlertKind> = new Set(["broken", "recovered"]);

/** An absolute link into the portal (AUTH_URL, the portal's public URL); null when it is not configured. */
function portalLink(path: string): string | null {
  const base = config().publicUrl;
  return base ? new URL(path, base).toString() : null;
}

/** The alert e-mail of a transition, for the customer or for the vendor's support team (their copy). */
export function alertMail(
  t: Omit<AlertTransition, "event">,
  audience: "customer" | "support",
): { subject: string; text: string } {
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
    const warning =
      t.to === "DEGRADED" && t.cause
        ? `\n\nIt works, with a warning: ${t.cause}${t.fix ? `\n\nWhat to do: ${t.fix}` : ""}`
        : "";
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
export async function queueAlertMails(t: AlertTransition): Promise<void> {
  if (!EMAILED.has(t.kind)) return;
  const kind = `alert.${t.event ?? t.kind}`;
  const customers = await alertRecipientsOf(t.tenantId);
  const addresses = customers.optedOut ? [] : customers.people.map((p) => p.address);
  if (addresses.length)
    await queueMail({ tenantId: t.tenantId, kind, recipients: addresses, ...alertMail(t, "customer") });
  if (!COPIED_TO_SUPPORT.has(t.kind)) return;
  const copy = alertMail(t, "support");
  const told = customers.optedOut
    ? "\n(The customer opted out of e-mail alerts.)"
    : addresses.length
      ? `\nCustomer told: ${addresses.join(", ")}`
      : "\n(Nobody of the customer is on the alert list.)";
  await queueMail({
    tenantId: t.tenantId,
    kind,
    recipients: [config().branding.supportEmail],
    subject: copy.subject,
    text: `${copy.text}${told}`,
  });
}

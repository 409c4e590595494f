import "server-only";

// Who of a customer's organisation is e-mailed when one of its connections is connected, breaks or works again.
// The administrators who onboarded the tenant (granted its consent, registered an environment) are told unless they
// removed themselves; any other administrator of the tenant adds themselves. A person's own choice is a row of
// AlertRecipient; everyone else follows from the tenant's onboarding. The vendor's support address is told
// separately (lib/notifications/alerts.ts).
import { audit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";

/** Why a person is on the list. */
export type RecipientReason = "granted-consent" | "registered-environment" | "added-themselves";

export type AlertRecipientView = {
  userObjectId: string;
  name: string | null;
  address: string;
  reason: RecipientReason;
};

export type AlertRecipients = {
  /** The organisation turned e-mail alerts off: nobody of it is told (the list says who would be). */
  optedOut: boolean;
  people: AlertRecipientView[];
};

const isAddress = (value: string | null | undefined): value is string =>
  typeof value === "string" && /^[^@\s]+@[^@\s]+$/.test(value);

/** The tenant's recipients, for the mail (unscoped: the notifier acts for the system) and for the page below. */
export async function alertRecipientsOf(tenantId: string): Promise<AlertRecipients> {
  const tenant = await db().tenant.findUnique({
    where: { id: tenantId },
    select: {
      emailAlertsOff: true,
      consentGrantedByObjectId: true,
      consentGrantedByName: true,
      environments: { select: { registeredByObjectId: true, registeredByName: true }, orderBy: { createdAt: "asc" } },
      alertRecipients: {
        select: { userObjectId: true, name: true, address: true, subscribed: true },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!tenant) return { optedOut: false, people: [] };
  const choices = new Map(tenant.alertRecipients.map((r) => [r.userObjectId.toLowerCase(), r]));
  const onboarders = new Map<string, { name: string | null; reason: RecipientReason }>();
  if (tenant.consentGrantedByObjectId)
    onboarders.set(tenant.consentGrantedByObjectId.toLowerCase(), {
      name: tenant.consentGrantedByName,
      reason: "granted-consent",
    });
  for (const e of tenant.environments) {
    if (e.registeredByObjectId && !onboarders.has(e.registeredByObjectId.toLowerCase()))
      onboarders.set(e.registeredByObjectId.toLowerCase(), {
        name: e.registeredByName,
        reason: "registered-environment",
      });
  }
  // Onboarders who made no choice are reached at the address they last signed in with as an administrator.
  const undecided = [...onboarders.keys()].filter((id) => !choices.has(id));
  const sessions = undecided.length
    ? await db().portalSession.findMany({
        where: { tenantId, userObjectId: { in: undecided }, isTenantAdmin: true, userPrincipalName: { not: null } },
        select: { userObjectId: true, userName: true, userPrincipalName: true },
        orderBy: { createdAt: "desc" },
      })
    : [];
  const people: AlertRecipientView[] = [];
  const seen = new Set<string>();
  const add = (person: AlertRecipientView) => {
    const address = person.address.toLowerCase();
    if (!isAddress(address) || seen.has(address)) return;
    seen.add(address);
    people.push({ ...person, address });
  };
  for (const [id, onboarder] of onboarders) {
    const choice = choices.get(id);
    if (choice) {
      if (choice.subscribed)
        add({
          userObjectId: id,
          name: choice.name ?? onboarder.name,
          address: choice.address,
          reason: onboarder.reason,
        });
      continue;
    }
    const session = sessions.find((s) => s.userObjectId.toLowerCase() === id);
    if (session?.userPrincipalName)
      add({
        userObjectId: id,
        name: onboarder.name ?? session.userName,
        address: session.userPrincipalName,
        reason: onboarder.reason,
      });
  }
  for (const r of tenant.alertRecipients) {
    if (r.subscribed && !onboarders.has(r.userObjectId.toLowerCase()))
      add({ userObjectId: r.userObjectId.toLowerCase(), name: r.name, address: r.address, reason: "added-themselves" });
  }
  return { optedOut: tenant.emailAlertsOff, people };
}

/** The customer's page: the recipients of the signed-in tenant. */
export function listAlertRecipients(scope: TenantScope): Promise<AlertRecipients> {
  return alertRecipientsOf(scope.tenantId);
}

/** The signed-in administrator adds or removes themselves (audited, in the same transaction). */
export async function setOwnAlertSubscription(
  scope: TenantScope,
  me: { objectId: string; name: string | null; address: string },
  subscribed: boolean,
): Promise<void> {
  const address = me.address.toLowerCase();
  if (!isAddress(address)) throw new Error("not an e-mail address");
  await db().$transaction(async (tx) => {
    await tx.alertRecipient.upsert({
      where: { tenantId_userObjectId: { tenantId: scope.tenantId, userObjectId: me.objectId } },
      create: { tenantId: scope.tenantId, userObjectId: me.objectId, name: me.name, address, subscribed },
      update: { name: me.name, address, subscribed },
      select: { id: true },
    });
    await audit(
      {
        actor: scope.actor,
        tenantId: scope.tenantId,
        action: subscribed ? "alerts.recipient_added" : "alerts.recipient_removed",
        target: { type: "user", id: me.objectId },
        details: { address },
      },
      tx,
    );
  });
}

/** An address a person can be e-mailed at (the user principal name they signed in with), or null. */
export function mailableAddress(userPrincipalName: string | null): string | null {
  const address = userPrincipalName?.toLowerCase() ?? null;
  return isAddress(address) ? address : null;
}

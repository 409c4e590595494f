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

type RecipientFacts = {
  emailAlertsOff: boolean;
  consentGrantedByObjectId: string | null;
  consentGrantedByName: string | null;
  /** Who registered each environment, oldest first. */
  registrars: Array<{ objectId: string; name: string | null }>;
  /** People's own choices, oldest first. */
  choices: Array<{ userObjectId: string; name: string | null; address: string; subscribed: boolean }>;
  /** The latest administrator sign-in of each onboarder who made no choice. */
  sessions: Array<{ userObjectId: string; userName: string | null; userPrincipalName: string }>;
};

/**
 * Everything the list follows from, in one statement (the customer's overview page asks on every view; as Prisma
 * relation reads it was four statements, a quarter of the page's): the tenant's switch and who consented, who
 * registered each environment, the people's choices, and for the onboarders who made none the address of their
 * latest sign-in as an administrator.
 */
async function recipientFacts(tenantId: string): Promise<RecipientFacts | null> {
  const [row] = await db().$queryRaw<RecipientFacts[]>`
    SELECT t."emailAlertsOff", t."consentGrantedByObjectId"::text, t."consentGrantedByName",
      COALESCE((
        SELECT json_agg(json_build_object('objectId', e."registeredByObjectId", 'name', e."registeredByName")
                        ORDER BY e."createdAt")
        FROM "Environment" e WHERE e."tenantId" = t.id AND e."registeredByObjectId" IS NOT NULL
      ), '[]'::json) AS registrars,
      COALESCE((
        SELECT json_agg(json_build_object('userObjectId', r."userObjectId", 'name', r.name, 'address', r.address,
                                          'subscribed', r.subscribed) ORDER BY r."createdAt")
        FROM "AlertRecipient" r WHERE r."tenantId" = t.id
      ), '[]'::json) AS choices,
      COALESCE((
        SELECT json_agg(json_build_object('userObjectId', latest."userObjectId", 'userName', latest."userName",
                                          'userPrincipalName', latest."userPrincipalName"))
        FROM (
          SELECT DISTINCT ON (s."userObjectId") s."userObjectId", s."userName", s."userPrincipalName"
          FROM "PortalSession" s
          WHERE s."tenantId" = t.id AND s."isTenantAdmin" AND s."userPrincipalName" IS NOT NULL
            AND (s."userObjectId" = t."consentGrantedByObjectId"
                 OR s."userObjectId" IN (SELECT e."registeredByObjectId" FROM "Environment" e WHERE e."tenantId" = t.id))
            AND NOT EXISTS (
              SELECT 1 FROM "AlertRecipient" r WHERE r."tenantId" = t.id AND r."userObjectId" = s."userObjectId")
          ORDER BY s."userObjectId", s."createdAt" DESC
        ) latest
      ), '[]'::json) AS sessions
    FROM "Tenant" t
    WHERE t.id = ${tenantId}::uuid`;
  return row ?? null;
}

/** The tenant's recipients, for the mail (unscoped: the notifier acts for the system) and for the page below. */
export async function alertRecipientsOf(tenantId: string): Promise<AlertRecipients> {
  const facts = await recipientFacts(tenantId);
  if (!facts) return { optedOut: false, people: [] };
  const choices = new Map(facts.choices.map((r) => [r.userObjectId.toLowerCase(), r]));
  const onboarders = new Map<string, { name: string | null; reason: RecipientReason }>();
  if (facts.consentGrantedByObjectId)
    onboarders.set(facts.consentGrantedByObjectId.toLowerCase(), {
      name: facts.consentGrantedByName,
      reason: "granted-consent",
    });
  for (const e of facts.registrars) {
    if (!onboarders.has(e.objectId.toLowerCase()))
      onboarders.set(e.objectId.toLowerCase(), { name: e.name, reason: "registered-environment" });
  }
  // Onboarders who made no choice are reached at the address they last signed in with as an administrator.
  const sessions = facts.sessions;
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
  for (const r of facts.choices) {
    if (r.subscribed && !onboarders.has(r.userObjectId.toLowerCase()))
      add({ userObjectId: r.userObjectId.toLowerCase(), name: r.name, address: r.address, reason: "added-themselves" });
  }
  return { optedOut: facts.emailAlertsOff, people };
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

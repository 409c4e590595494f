import "server-only";

// "Send invitation by e-mail" from the console: the link goes through the mail queue like every alert, so a
// mail server that is down delays it (retried, logged) instead of losing it.
import { audit } from "@/lib/audit";
import { config } from "@/lib/config";
import type { StaffActor } from "@/lib/data/support/invitations";
import { queueMail } from "@/lib/notifications/mail";
import { utcDateTime } from "@/lib/text";

export async function emailInvitation(
  actor: StaffActor,
  invitation: { id: string; link: string; expiresAt: Date },
  to: string,
): Promise<void> {
  const { appName, vendorName, supportEmail } = config().branding;
  const until = utcDateTime(invitation.expiresAt);
  const mailId = await queueMail({
    tenantId: null,
    kind: "invitation",
    recipients: [to],
    subject: `Connect ${appName} to your Microsoft Dataverse`,
    text: `${vendorName} invites you to connect ${appName} to your organisation's Dataverse environments.\n\nOpen this link and sign in with your Microsoft work account (valid until ${until}):\n${invitation.link}\n\nQuestions: ${supportEmail}.`,
  });
  await audit({
    actor,
    tenantId: null,
    action: "invitation.emailed",
    target: { type: "invitation", id: invitation.id },
    details: { to, mailId },
  });
}

import "server-only";

// E-mail: the outbox (./mail.ts: queued, then sent by the queue's worker with retries) and what the portal writes
// — the alerts of a health transition (./alerts.ts, queued by lib/events), invitations (./invitation-mail.ts).
export { deliverMail, queueMail, startMailWorker } from "@/lib/notifications/mail";
export { alertMail, queueAlertMails, type AlertTransition } from "@/lib/notifications/alerts";
export { emailInvitation } from "@/lib/notifications/invitation-mail";

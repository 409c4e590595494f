// Labels of the console's vocabularies (no server-only imports: client components use them too).
// Counting and dates: components/format.ts.

export const sourceLabels = { APPSOURCE: "AppSource", INVITATION: "Invitation", DIRECT: "Direct" } as const;

export const consentLabels = {
  NOT_GRANTED: "Not granted",
  PENDING_VERIFICATION: "Pending verification",
  GRANTED: "Granted",
  REVOKED: "Revoked",
} as const;

/** What an e-mail of the alert log was about, in words (MailMessage.kind: lib/notifications/alerts.ts and its peers). */
const mailKindLabels: Record<string, string> = {
  "alert.connection.ready": "Connection ready",
  "alert.connection.broken": "Connection broken",
  "alert.connection.recovered": "Connection working again",
  "alert.consent.removed": "Consent removed",
  "alert.degraded": "Connection degraded",
  invitation: "Invitation",
  "credential.fallback": "Credential rejected, other one in use",
  "credential.expiry": "Credential expiring",
};

/** A kind no label names yet still reads as words ("alert.setup.finished" → "Setup finished"), never as a code. */
export function mailKindLabel(kind: string): string {
  const known = mailKindLabels[kind];
  if (known) return known;
  const words = kind
    .replace(/^alert\./, "")
    .replace(/[._-]+/g, " ")
    .trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "E-mail";
}

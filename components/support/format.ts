// Labels of the console's vocabularies (no server-only imports: client components use them too).
// Counting and dates: components/format.ts.

export const sourceLabels = { APPSOURCE: "AppSource", INVITATION: "Invitation", DIRECT: "Direct" } as const;

export const consentLabels = {
  NOT_GRANTED: "Not granted",
  PENDING_VERIFICATION: "Pending verification",
  GRANTED: "Granted",
  REVOKED: "Revoked",
} as const;

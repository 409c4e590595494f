import "server-only";

// The app's own credentials for Entra ID as staff see them: their health for the console (./health.ts) and the
// reminders before each expires (./expiry.ts). The fallback notice is Entra's (lib/entra/fallback-notice.ts).
export {
  CREDENTIAL_WARNING_DAYS,
  credentialHealth,
  credentialsOverview,
  type CredentialHealth,
  type CredentialOverview,
} from "@/lib/credentials/health";
export {
  EXPIRY_REMINDER_CRON,
  EXPIRY_REMINDER_DAYS,
  sendExpiryReminders,
  startCredentialReminders,
} from "@/lib/credentials/expiry";
export { noteCredentialFallback, type FallbackNotice } from "@/lib/entra/fallback-notice";

import { count } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { CREDENTIAL_WARNING_DAYS, type CredentialHealth } from "@/lib/data/support/credential-health";

/** Our own credential for Entra ID: what is in use and when it runs out (every customer depends on it). */
export function CredentialCard({ health }: { health: CredentialHealth }) {
  const kind = health.kind === "secret" ? "Client secret" : health.kind === "certificate" ? "Certificate" : "No credential";
  const tone = health.status === "ok" ? "success" : health.status === "unknown" ? "plain" : "danger";
  const message = {
    ok: `Valid for ${health.daysLeft} more days.`,
    expiring: `Expires in ${count(health.daysLeft ?? 0, "day")}: add a new ${health.kind === "certificate" ? "certificate" : "secret"} to the app registration and deploy it before then, or every customer's connection stops.`,
    expired: "Expired: the portal cannot obtain tokens for any customer. Add a new credential to the app registration and deploy it now.",
    unknown: "Its expiry is not configured: set ENTRA_CLIENT_SECRET_EXPIRES_AT so the console can warn before it runs out.",
    unreadable: "The certificate file could not be read, so its expiry is unknown.",
    missing: "No credential is configured: the portal cannot obtain tokens.",
  }[health.status];
  return (
    <section aria-labelledby="credential-heading" className={cardClass(tone)} data-credential-status={health.status}>
      <h2 id="credential-heading" className="text-lg font-semibold">
        Our credential for Microsoft Entra ID
      </h2>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="font-medium">In use</dt>
        <dd data-testid="credential-kind">{kind}</dd>
        <dt className="font-medium">Expires</dt>
        <dd data-testid="credential-expires">{health.expiresAt ? <LocalTime date={health.expiresAt} /> : "unknown"}</dd>
        {health.thumbprint ? (
          <>
            <dt className="font-medium">Thumbprint</dt>
            <dd className="font-mono text-xs">{health.thumbprint}</dd>
          </>
        ) : null}
      </dl>
      <p className="mt-3 text-sm" role={health.status === "ok" || health.status === "unknown" ? undefined : "alert"}>
        {health.status === "expiring" || health.status === "expired" ? <strong>Warning: </strong> : null}
        {message}
      </p>
      <p className="mt-1 text-xs">A warning shows from {CREDENTIAL_WARNING_DAYS} days before expiry.</p>
    </section>
  );
}

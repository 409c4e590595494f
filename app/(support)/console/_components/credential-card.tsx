import { count } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { CREDENTIAL_WARNING_DAYS, type CredentialOverview } from "@/lib/credentials";

const REJECTION_WORDS: Record<number, string> = {
  7000215: "invalid secret (AADSTS7000215)",
  7000222: "expired secret (AADSTS7000222)",
  700027: "certificate not accepted (AADSTS700027)",
  700024: "assertion outside its valid time range (AADSTS700024)",
  70021: "no matching federated credential (AADSTS70021)",
  700211: "no federated credential for its issuer (AADSTS700211)",
  700212: "no federated credential for its audience (AADSTS700212)",
  700213: "no federated credential for its subject (AADSTS700213)",
  7002138: "federated credential subject differs in case (AADSTS7002138)",
  700226: "not a managed identity's token (AADSTS700226)",
};

const KIND_WORDS: Record<CredentialOverview["kind"], string> = {
  secret: "Client secret",
  certificate: "Certificate",
  "key-vault-certificate": "Certificate in Key Vault",
  "managed-identity": "Managed identity (federated)",
  none: "None",
};

function message(health: CredentialOverview, other: CredentialOverview | undefined): string {
  const replacement = other && other.status !== "expired" ? ` ${other.label} is configured as its replacement.` : "";
  if (health.kind === "managed-identity") {
    return health.rejection
      ? "Entra ID did not accept this managed identity's token: check the federated credential on the app registration (issuer, subject = the identity's object id, audience api://AzureADTokenExchange)."
      : "No secret to expire or leak: Entra ID accepts this managed identity's tokens through the app registration's federated credential.";
  }
  if (health.kind === "key-vault-certificate" && health.status === "unreadable")
    return `The certificate could not be read from Key Vault: ${health.source?.error ?? "not read yet"}`;
  switch (health.status) {
    case "ok":
      return `Valid for ${count(health.daysLeft ?? 0, "more day")}.`;
    case "expiring":
      return health.kind === "key-vault-certificate"
        ? `Expires in ${count(health.daysLeft ?? 0, "day")}: add a new version in Key Vault and register it on the app registration before then; the portal picks it up without a restart.${replacement}`
        : `Expires in ${count(health.daysLeft ?? 0, "day")}: add a new ${health.kind === "certificate" ? "certificate" : "secret"} to the app registration and deploy it before then, or every customer's connection stops.${replacement}`;
    case "expired":
      return other && other.status !== "expired"
        ? `Expired: the portal uses ${other.label} instead. Remove this one from the configuration.`
        : "Expired: the portal cannot obtain tokens for any customer. Add a new credential to the app registration and deploy it now.";
    case "unknown":
      return `Its expiry is not configured: set ${health.label.includes("SECRET_2") ? "ENTRA_CLIENT_SECRET_2_EXPIRES_AT" : "ENTRA_CLIENT_SECRET_EXPIRES_AT"} so the console can warn before it runs out.`;
    case "unreadable":
      return "The certificate file could not be read, so its expiry is unknown.";
    case "missing":
      return "No credential is configured: the portal cannot obtain tokens.";
  }
}

/** Our own credentials for Entra ID (one, or two while rotating): what each is, when it runs out, which one is in use. */
export function CredentialCard({ credentials }: { credentials: CredentialOverview[] }) {
  // The card warns while any credential needs an operator: expiring, expired or unreadable (even when the other one works).
  const inUse = credentials.find((c) => c.inUse);
  const warn = credentials.some((c) => c.status === "expiring" || c.status === "expired" || c.status === "unreadable");
  const tone =
    credentials.length === 0 || warn
      ? "danger"
      : credentials.every((c) => c.status === "unknown")
        ? "plain"
        : "success";
  return (
    <section
      aria-labelledby="credential-heading"
      className={cardClass(tone)}
      data-credential-status={inUse?.status ?? "missing"}
    >
      <h2 id="credential-heading" className="text-lg font-semibold">
        Our credentials for Microsoft Entra ID
      </h2>
      {credentials.length === 0 ? (
        <p className="mt-3 text-sm" role="alert">
          <strong>Warning: </strong>No credential is configured: the portal cannot obtain tokens.
        </p>
      ) : (
        <ul className="mt-3 grid gap-4 md:grid-cols-2" aria-label="Configured credentials">
          {credentials.map((health) => {
            const other = credentials.find((c) => c !== health);
            const warning = health.status === "expiring" || health.status === "expired";
            return (
              <li
                key={health.id}
                data-testid="credential"
                data-credential-status={health.status}
                data-in-use={health.inUse ? "yes" : "no"}
                aria-label={health.label}
              >
                <h3 className="font-medium wrap-anywhere">
                  {health.label}
                  {health.inUse ? (
                    <span className="ml-2 rounded bg-white/70 px-2 py-0.5 text-xs font-semibold">In use</span>
                  ) : null}
                </h3>
                <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
                  <dt className="font-medium">Kind</dt>
                  <dd data-testid="credential-kind">{KIND_WORDS[health.kind]}</dd>
                  {health.source?.managedIdentityClientId ? (
                    <>
                      <dt className="font-medium">Client id</dt>
                      <dd className="font-mono text-xs break-all">{health.source.managedIdentityClientId}</dd>
                      <dt className="font-medium">Expires</dt>
                      <dd data-testid="credential-expires">never</dd>
                    </>
                  ) : (
                    <>
                      <dt className="font-medium">Expires</dt>
                      <dd data-testid="credential-expires">
                        {health.expiresAt ? <LocalTime date={health.expiresAt} /> : "unknown"}
                      </dd>
                      <dt className="font-medium">Days left</dt>
                      <dd data-testid="credential-days-left" className="tabular-nums">
                        {health.daysLeft === null ? "unknown" : Math.max(health.daysLeft, 0)}
                      </dd>
                    </>
                  )}
                  {health.source?.keyVaultCertificate ? (
                    <>
                      <dt className="font-medium">Key Vault</dt>
                      <dd className="font-mono text-xs break-all">{health.source.keyVaultCertificate}</dd>
                      <dt className="font-medium">Version</dt>
                      <dd data-testid="credential-version" className="font-mono text-xs break-all">
                        {health.source.version ?? "none read"}
                      </dd>
                    </>
                  ) : null}
                  {health.thumbprint ? (
                    <>
                      <dt className="font-medium">Thumbprint</dt>
                      <dd className="font-mono text-xs break-all">{health.thumbprint}</dd>
                    </>
                  ) : null}
                  {health.rejection ? (
                    <>
                      <dt className="font-medium">Rejected</dt>
                      <dd data-testid="credential-rejection">
                        <LocalTime date={health.rejection.at} />:{" "}
                        {health.rejection.code
                          ? (REJECTION_WORDS[health.rejection.code] ?? `AADSTS${health.rejection.code}`)
                          : "rejected by Entra ID"}
                      </dd>
                    </>
                  ) : null}
                </dl>
                <p className="mt-2 text-sm" role={warning || health.status === "unreadable" ? "alert" : undefined}>
                  {warning ? <strong>Warning: </strong> : null}
                  {message(health, other)}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      <p className="mt-3 text-xs">
        The portal uses a managed identity first (nothing to expire), else the valid credential that expires last, and
        falls back to the other when Entra ID rejects it. A warning shows from {CREDENTIAL_WARNING_DAYS} days before
        expiry; staff are e-mailed 30, 7 and 1 days before.
      </p>
    </section>
  );
}

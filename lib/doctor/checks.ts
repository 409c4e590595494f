import "server-only";

// `npm run doctor`: the production configuration, read exactly as the portal reads it (lib/config.ts), checked
// against the cloud and the services it names. Each check returns findings (lib/doctor/findings.ts); nothing here
// changes anything, and no e-mail is sent unless asked (`--send-test-mail`).
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ConfidentialClientApplication } from "@azure/msal-node";
import nodemailer from "nodemailer";
import type { ClientCredential, PortalConfig } from "@/lib/config";
import { problem, ok, skipped, type Finding } from "@/lib/doctor/findings";
import { judgeRegistration } from "@/lib/doctor/registration";
import { credentialLabel, describeCredential } from "@/lib/entra/credentials";
import { currentVaultCertificate, loadVaultCertificate, vaultCertificateError } from "@/lib/vault/certificate";
import { msalConfiguration } from "@/lib/entra/msal";
import { readRegistration } from "@/lib/entra/registration";
import { capturedEntraError, withEntraErrorCapture } from "@/lib/entra/token-errors";
import { outboundFetch } from "@/lib/http/outbound";

const DAY = 24 * 60 * 60 * 1000;
const CONSENT_CALLBACK_PATH = "/consent/callback"; // lib/entra/consent-links.ts
const DELEGATED_CALLBACK_PATH = "/onboarding/delegated/callback"; // lib/onboarding/delegated-flow.ts

/** Authority discovery for the home tenant (docs/protocol/entra.md A1): the tenant exists in this cloud. */
export async function checkAuthority(c: PortalConfig): Promise<Finding> {
  const { authorityHost, homeTenantId } = c.entra;
  const title = "Authority discovery";
  if (!homeTenantId)
    return skipped("entra.authority", title, "ENTRA_HOME_TENANT_ID is not set (demo mode without Microsoft endpoints)");
  const url = `${authorityHost}/${homeTenantId}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await outboundFetch("entra", url);
    const body = (await response.json().catch(() => ({}))) as { issuer?: string; error_description?: string };
    if (response.ok && typeof body.issuer === "string" && body.issuer.toLowerCase().includes(homeTenantId))
      return ok("entra.authority", title, `${authorityHost} knows the home tenant ${homeTenantId}`);
    const code = /AADSTS(\d+)/.exec(body.error_description ?? "")?.[1];
    return problem(
      "error",
      "entra.authority",
      title,
      `${url} answered ${response.status}${code ? ` AADSTS${code}` : ""}${code === "90002" ? ": the tenant does not exist in this cloud" : ""}`,
      "Sign-in, consent and every token are issued by this authority for this tenant.",
      "Set ENTRA_HOME_TENANT_ID to the Directory (tenant) ID on your app registration's Overview page, and ENTRA_AUTHORITY_HOST to your cloud's authority (https://login.microsoftonline.com, .us for US Government, login.chinacloudapi.cn for China).",
    );
  } catch (error) {
    return problem(
      "error",
      "entra.authority",
      title,
      `${authorityHost} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      "Nothing works without Entra ID.",
      "Check ENTRA_AUTHORITY_HOST, DNS and the egress firewall (https to the authority host).",
    );
  }
}

const TOKEN_FIXES: Record<number, { detail: string; fix: (c: PortalConfig, credential: ClientCredential) => string }> =
  {
    7000215: {
      detail: "Entra does not know this secret (AADSTS7000215; often the Secret ID was pasted instead of its Value)",
      fix: (c, cr) =>
        `Create a secret (\`az ad app credential reset --id ${c.entra.clientId} --append --display-name portal\`) and set ${cr.kind === "secret" ? cr.slot : "the variable"} to its Value.`,
    },
    7000222: {
      detail: "the secret has expired on the registration (AADSTS7000222)",
      fix: (c, cr) =>
        `Create a new secret (\`az ad app credential reset --id ${c.entra.clientId} --append --display-name portal\`) and set ${cr.kind === "secret" ? cr.slot : "the variable"} to its Value.`,
    },
    700027: {
      detail: "Entra does not know the certificate the assertion was signed with (AADSTS700027)",
      fix: (c) =>
        `Upload it to the registration: \`az ad app credential reset --id ${c.entra.clientId} --cert @<ENTRA_CLIENT_CERTIFICATE_PATH> --append\`.`,
    },
    700016: {
      detail: "the application is not found in the home tenant (AADSTS700016)",
      fix: () =>
        "Check ENTRA_CLIENT_ID (the Application (client) ID) and ENTRA_HOME_TENANT_ID (the tenant where the app is registered).",
    },
    7000112: {
      detail: "the application is disabled (AADSTS7000112)",
      fix: () =>
        "Entra admin center → Enterprise applications → the portal's app → Properties → Enabled for users to sign-in: Yes.",
    },
    90002: {
      detail: "the home tenant does not exist in this cloud (AADSTS90002)",
      fix: () => "Check ENTRA_HOME_TENANT_ID and ENTRA_AUTHORITY_HOST.",
    },
    // A managed identity as the app's federated credential (docs/protocol/identity.md F).
    700211: {
      detail:
        "no federated identity credential on the registration has the managed identity token's issuer (AADSTS700211)",
      fix: federatedCredentialFix,
    },
    700212: {
      detail:
        "no federated identity credential on the registration has the audience api://AzureADTokenExchange (AADSTS700212)",
      fix: federatedCredentialFix,
    },
    700213: {
      detail: "no federated identity credential on the registration matches the managed identity (AADSTS700213)",
      fix: federatedCredentialFix,
    },
  };

function federatedCredentialFix(c: PortalConfig): string {
  return `Add a federated credential for the managed identity (README, "Running without secrets"): \`az ad app federated-credential create --id <app object id> --parameters '{"name":"portal-managed-identity","issuer":"${c.entra.authorityHost}/${c.entra.homeTenantId ?? "<ENTRA_HOME_TENANT_ID>"}/v2.0","subject":"<the identity's principal id>","audiences":["api://AzureADTokenExchange"]}'\`.`;
}

/** A token with each configured credential, from Entra, never from a cache; returns a Graph token for the next checks. */
export async function checkCredentials(c: PortalConfig): Promise<{ findings: Finding[]; graphToken: string | null }> {
  const findings: Finding[] = [];
  let graphToken: string | null = null;
  const { homeTenantId, clientId } = c.entra;
  if (!homeTenantId || !clientId || c.entra.credentials.length === 0)
    return {
      findings: [skipped("entra.credentials", "Credentials", "no app registration is configured (demo mode)")],
      graphToken,
    };
  // Graph's .default when the cloud has a Graph (its token also reads the registration); else the app's own.
  const scope = `${c.graphUrl ?? clientId}/.default`;
  for (const credential of c.entra.credentials) {
    const id = `entra.token.${credential.slot}`;
    const title = `Token with ${credentialLabel(credential)}`;
    try {
      // The portal reads a Key Vault certificate's version in use at start; so does the doctor (errors: below).
      if (credential.kind === "key-vault-certificate") await loadVaultCertificate(credential);
      const result = await withEntraErrorCapture(async () => {
        try {
          const client = new ConfidentialClientApplication(msalConfiguration(homeTenantId, credential));
          return {
            token:
              (await client.acquireTokenByClientCredential({ scopes: [scope], skipCache: true }))?.accessToken ?? null,
            error: null,
          };
        } catch (error) {
          return { token: null, error, entra: capturedEntraError() };
        }
      });
      if (result.token) {
        graphToken ??= c.graphUrl ? result.token : null;
        findings.push(ok(id, title, `Entra issued a token for ${scope} in the home tenant`));
        continue;
      }
      const code = "entra" in result ? result.entra?.aadstsCode : null;
      const known = code ? TOKEN_FIXES[code] : undefined;
      findings.push(
        problem(
          "error",
          id,
          title,
          known?.detail ??
            `Entra refused: ${"entra" in result && result.entra?.description ? result.entra.description : result.error instanceof Error ? result.error.message : String(result.error)}`,
          "Every check, consent proof and sign-in presents this credential; with it refused they fail (the portal falls back to the other credential when one is configured).",
          known?.fix(c, credential) ??
            "Compare ENTRA_CLIENT_ID, ENTRA_HOME_TENANT_ID and the credential with the app registration (Certificates & secrets).",
        ),
      );
    } catch (error) {
      findings.push(
        problem(
          "error",
          id,
          title,
          `could not be tried: ${error instanceof Error ? error.message : String(error)}`,
          "The portal could not use it either.",
          "Check the credential's variables (a certificate and its key must be readable PEM files).",
        ),
      );
    }
  }
  return { findings, graphToken };
}

/** The configured credentials' own expiry: the secret's ENTRA_CLIENT_SECRET*_EXPIRES_AT, the certificate's notAfter. */
export function checkCredentialExpiry(c: PortalConfig, now = new Date()): Finding[] {
  return c.entra.credentials.map((credential) => {
    const id = `entra.expiry.${credential.slot}`;
    const title = `Expiry of ${credentialLabel(credential)}`;
    let expiresAt: Date | null;
    if (credential.kind === "managed-identity")
      return ok(
        id,
        title,
        "a managed identity has no secret or certificate that expires (its tokens are renewed by the platform)",
      );
    if (credential.kind === "key-vault-certificate") {
      const inUse = describeCredential(credential);
      if (inUse.unreadable || !inUse.expiresAt)
        return problem(
          "error",
          id,
          title,
          `could not be read from Key Vault (${vaultCertificateError(credential) ?? "not loaded"})`,
          "The portal cannot sign in to Entra with it.",
          'Give the portal\'s identity the Key Vault Certificate User and Secrets User roles on the vault (README, "Running without secrets").',
        );
      expiresAt = inUse.expiresAt;
    } else if (credential.kind === "certificate") {
      try {
        expiresAt = new Date(new X509Certificate(readFileSync(credential.certificatePath)).validTo);
      } catch (error) {
        return problem(
          "error",
          id,
          title,
          `${credential.certificatePath} is not a readable PEM certificate (${error instanceof Error ? error.message : String(error)})`,
          "The portal cannot sign in to Entra with it.",
          "Point ENTRA_CLIENT_CERTIFICATE_PATH at the certificate's PEM file (and ENTRA_CLIENT_PRIVATE_KEY_PATH at its key).",
        );
      }
    } else {
      expiresAt = credential.expiresAt;
      if (!expiresAt) {
        return problem(
          "warning",
          id,
          title,
          `${credential.slot}_EXPIRES_AT is not set`,
          "Staff are reminded 30, 7 and 1 days before a credential expires only when its expiry is known.",
          `Set ${credential.slot}_EXPIRES_AT to the secret's "Expires" date (Certificates & secrets).`,
        );
      }
    }
    const days = Math.floor((expiresAt.getTime() - now.getTime()) / DAY);
    if (days < 0)
      return problem(
        "error",
        id,
        title,
        `expired on ${expiresAt.toISOString().slice(0, 10)}`,
        "Entra refuses an expired credential: every token request with it fails.",
        'Create a new credential on the registration and deploy it (README, "Rotating the app\'s credential").',
      );
    if (days < 30)
      return problem(
        "warning",
        id,
        title,
        `expires on ${expiresAt.toISOString().slice(0, 10)} (in ${days} days)`,
        "When it expires every token request with it fails.",
        'Add its replacement to the registration and deploy it as the second credential now (README, "Rotating the app\'s credential").',
      );
    return ok(id, title, `expires on ${expiresAt.toISOString().slice(0, 10)} (in ${days} days)`);
  });
}

/** The app registration as Graph shows it (lib/doctor/registration.ts). */
export async function checkRegistration(
  c: PortalConfig,
  graphToken: string | null,
  now = new Date(),
): Promise<Finding[]> {
  const title = "App registration";
  if (!c.graphUrl)
    return [
      skipped(
        "registration.read",
        title,
        "no Microsoft Graph is known for this cloud: set GRAPH_URL (e.g. https://dod-graph.microsoft.us) to check the registration",
      ),
    ];
  if (!c.entra.clientId || !c.entra.homeTenantId)
    return [skipped("registration.read", title, "no app registration is configured")];
  if (!graphToken)
    return [skipped("registration.read", title, "no credential got a token for Microsoft Graph (see above)")];
  const view = await readRegistration(c.graphUrl, graphToken, c.entra.clientId);
  const certificate = c.entra.credentials.find((x) => x.kind === "certificate");
  const vaultCertificate = c.entra.credentials.find((x) => x.kind === "key-vault-certificate");
  let certificateSha1: string | null = vaultCertificate
    ? (currentVaultCertificate(vaultCertificate)?.thumbprintSha1?.toLowerCase() ?? null)
    : null;
  if (certificate) {
    try {
      certificateSha1 = createHash("sha1")
        .update(new X509Certificate(readFileSync(certificate.certificatePath)).raw)
        .digest("hex");
    } catch {
      // Reported by the expiry check.
    }
  }
  return judgeRegistration(view, {
    clientId: c.entra.clientId,
    homeTenantId: c.entra.homeTenantId,
    tenancy: c.entra.tenancy,
    portalUrl: c.publicUrl ?? `http://localhost:${c.port}`,
    consentCallbackPath: CONSENT_CALLBACK_PATH,
    delegatedCallbackPath: DELEGATED_CALLBACK_PATH,
    consentAppRole: c.entra.consentAppRole,
    supportOperatorRole: c.entra.supportOperatorRole,
    supportAdminRole: c.entra.supportAdminRole,
    apiRole: "Connections.Read",
    organisationNames: c.graphUrl !== null,
    certificateSha1,
    secrets: c.entra.credentials.flatMap((x) =>
      x.kind === "secret" ? [{ slot: x.slot, hint: x.secret.slice(0, 3) }] : [],
    ),
    now,
  });
}

/** The Dataverse host suffixes of each cloud, by its authority host (docs/protocol/dataverse.md B1). */
const CLOUDS: Array<{ name: string; authorities: string[]; suffix: (s: string) => boolean }> = [
  {
    name: "the public cloud (and GCC)",
    authorities: ["login.microsoftonline.com"],
    suffix: (s) => /^crm\d*\.dynamics\.com$/.test(s),
  },
  {
    name: "US Government (GCC High, DoD)",
    authorities: ["login.microsoftonline.us"],
    suffix: (s) => s === "crm.microsoftdynamics.us" || s === "crm.appsplatform.us",
  },
  {
    name: "China (21Vianet)",
    authorities: ["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"],
    suffix: (s) => s === "crm.dynamics.cn",
  },
];

/** DATAVERSE_ALLOWED_HOST_SUFFIXES against the authority's cloud: environments of another cloud get no token here. */
export function checkHostSuffixes(c: PortalConfig): Finding {
  const id = "dataverse.host-suffixes";
  const title = "Dataverse host suffixes";
  const host = new URL(c.entra.authorityHost).hostname;
  const cloud = CLOUDS.find((x) => x.authorities.includes(host));
  if (!cloud)
    return skipped(
      id,
      title,
      `${host} is not a Microsoft cloud's authority (an emulator?): the ${c.dataverse.allowedHostSuffixes.length} suffixes are not judged`,
    );
  const mine = c.dataverse.allowedHostSuffixes.filter(cloud.suffix);
  const others = c.dataverse.allowedHostSuffixes.filter((s) => !cloud.suffix(s));
  if (mine.length === 0) {
    return problem(
      "error",
      id,
      title,
      `none of ${c.dataverse.allowedHostSuffixes.join(", ")} belongs to ${cloud.name}, whose authority ENTRA_AUTHORITY_HOST is`,
      "Every environment URL of your customers is refused, or gets no token from this authority.",
      `Set DATAVERSE_ALLOWED_HOST_SUFFIXES to ${cloud.name}'s Dataverse hosts, or ENTRA_AUTHORITY_HOST to the cloud your customers are in.`,
    );
  }
  if (others.length) {
    return problem(
      "warning",
      id,
      title,
      `${others.join(", ")} ${others.length === 1 ? "is" : "are"} not in ${cloud.name}`,
      "An environment URL of another cloud is accepted, then fails at the token step: this authority issues no token for it.",
      `Set DATAVERSE_ALLOWED_HOST_SUFFIXES=${mine.join(",")}.`,
    );
  }
  return ok(id, title, `${mine.length} suffix${mine.length === 1 ? "" : "es"} of ${cloud.name}`);
}

export type DatabaseProbe = {
  reachable: boolean;
  error?: string;
  pending: string[];
  failed: string[];
  queueSchema: number | null;
};

/** The database reachable and migrated, and the queue's schema (pg-boss) as this version expects it. */
export function judgeDatabase(c: PortalConfig, probe: DatabaseProbe): Finding[] {
  if (!probe.reachable) {
    return [
      problem(
        "error",
        "database.reachable",
        "Database",
        `${c.database.display} did not answer (${probe.error ?? "connection failed"})`,
        "Every page and check needs it; /api/health/ready answers 503 meanwhile.",
        "Check DATABASE_URL (host, port, user, password, database) and that the server accepts connections from here.",
      ),
    ];
  }
  const findings: Finding[] = [ok("database.reachable", "Database", `${c.database.display} answers`)];
  if (probe.failed.length)
    findings.push(
      problem(
        "error",
        "database.migrations",
        "Migrations",
        `failed and not rolled back: ${probe.failed.join(", ")}`,
        "No further migration runs over a failed one.",
        "Repair the database by hand, then mark the migration rolled back (`npx prisma migrate resolve --rolled-back <name>`) and run `npm run db:migrate`.",
      ),
    );
  else if (probe.pending.length)
    findings.push(
      problem(
        "error",
        "database.migrations",
        "Migrations",
        `${probe.pending.length} not applied: ${probe.pending.join(", ")}`,
        "This version reads and writes tables and columns that do not exist yet: pages and checks fail.",
        "Run `npm run db:migrate` (or `npx prisma migrate deploy`) against DATABASE_URL before starting this version.",
      ),
    );
  else findings.push(ok("database.migrations", "Migrations", "every migration of this version is applied"));
  const expected = (createRequire(import.meta.url)("pg-boss/version.json") as { schema: number }).schema;
  if (probe.queueSchema === null)
    findings.push(
      problem(
        "warning",
        "queue.schema",
        "Job queue schema",
        "the schema pgboss does not exist yet",
        "The portal creates it at its first start; the database user must be allowed to CREATE a schema then.",
        "Start the portal (or `npm run worker`) once, or grant the database user CREATE on the database.",
      ),
    );
  else if (probe.queueSchema < expected)
    findings.push(
      problem(
        "warning",
        "queue.schema",
        "Job queue schema",
        `version ${probe.queueSchema}, this version of pg-boss expects ${expected}`,
        "The portal migrates it at start; a replica of the older version sharing the database then stops working the queue.",
        "Deploy the new version to every replica (and the worker) together.",
      ),
    );
  else if (probe.queueSchema > expected)
    findings.push(
      problem(
        "error",
        "queue.schema",
        "Job queue schema",
        `version ${probe.queueSchema} is newer than this version's pg-boss (${expected})`,
        "A newer version of the portal migrated the queue; this one cannot work it.",
        "Deploy the newer version, or restore the database from before the upgrade.",
      ),
    );
  else findings.push(ok("queue.schema", "Job queue schema", `pgboss version ${probe.queueSchema}`));
  return findings;
}

/** SMTP: a real connection and greeting (no mail sent unless asked). */
export async function checkSmtp(c: PortalConfig, options: { sendTestMail: boolean }): Promise<Finding> {
  const title = "SMTP";
  if (!c.mail) return skipped("mail.smtp", title, "SMTP_URL is not set: alert e-mails are logged, not sent");
  const transport = nodemailer.createTransport(c.mail.smtpUrl, {
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  } as never);
  const where = (() => {
    const u = new URL(c.mail.smtpUrl);
    return `${u.protocol}//${u.host}`;
  })();
  try {
    await transport.verify();
    if (options.sendTestMail) {
      await transport.sendMail({
        from: c.mail.from,
        to: c.branding.supportEmail,
        subject: `${c.branding.appName}: test e-mail from npm run doctor`,
        text: "The portal can send e-mail through SMTP_URL. Nothing else to do.",
      });
      return ok("mail.smtp", title, `${where} accepted a test e-mail to ${c.branding.supportEmail}`);
    }
    return ok(
      "mail.smtp",
      title,
      `${where} answers and accepts this connection (no mail sent; --send-test-mail sends one to ${c.branding.supportEmail})`,
    );
  } catch (error) {
    return problem(
      "error",
      "mail.smtp",
      title,
      `${where}: ${error instanceof Error ? error.message : String(error)}`,
      "Alerts and e-mailed invitations queue up and are retried, then given up.",
      "Check SMTP_URL (host, port, smtps:// for implicit TLS, user and password) and that the server accepts connections from here.",
    );
  } finally {
    transport.close();
  }
}

/** WEBHOOK_URL answers a signed test event with 2xx. */
export async function checkWebhook(c: PortalConfig): Promise<Finding> {
  const title = "Webhook receiver";
  if (!c.webhooks) return skipped("webhooks.receiver", title, "WEBHOOK_URL is not set: lifecycle events are not sent");
  const { signWebhook, SIGNATURE_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER } = await import("@/lib/webhooks");
  const id = randomUUID();
  const body = JSON.stringify({
    id,
    type: "portal.test",
    occurredAt: new Date().toISOString(),
    tenantId: null,
    customerReference: null,
    environment: null,
    data: { sentBy: "npm run doctor" },
  });
  const origin = new URL(c.webhooks.url).origin;
  try {
    const response = await fetch(c.webhooks.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "tenant-onboarding-portal-doctor/1",
        [EVENT_ID_HEADER]: id,
        [EVENT_TYPE_HEADER]: "portal.test",
        [SIGNATURE_HEADER]: signWebhook(c.webhooks.secret, Math.floor(Date.now() / 1000), body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300)
      return ok("webhooks.receiver", title, `${origin} answered a signed test event with ${response.status}`);
    return problem(
      "error",
      "webhooks.receiver",
      title,
      `${origin} answered a signed test event (type portal.test) with ${response.status}`,
      "Lifecycle events are retried with backoff and given up after 10 attempts: your back end misses connections breaking and recovering.",
      response.status === 401 || response.status === 403
        ? 'The receiver refused the signature: give it the same WEBHOOK_SECRET (README, "Lifecycle events"), and let it answer 2xx to event types it does not handle.'
        : "Make the receiver answer 2xx within 10 seconds to every signed event (answer 2xx to event types it does not handle).",
    );
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error
        ? error.cause.message
        : error instanceof Error
          ? error.message
          : String(error);
    return problem(
      "error",
      "webhooks.receiver",
      title,
      `${origin} could not be reached: ${cause}`,
      "Lifecycle events are retried with backoff and given up after 10 attempts: your back end misses connections breaking and recovering.",
      "Check WEBHOOK_URL, that the receiver runs, and that the portal may reach it (DNS, firewall, TLS certificate).",
    );
  }
}

/** Operations: metrics and traces, off unless configured. */
export function checkObservability(c: PortalConfig): Finding[] {
  const { metricsToken, traces } = c.observability;
  return [
    metricsToken
      ? ok("operations.metrics", "Metrics", "/api/metrics answers with Authorization: Bearer <METRICS_TOKEN>")
      : skipped("operations.metrics", "Metrics", "METRICS_TOKEN is not set: /api/metrics is off (docs/operations.md)"),
    traces
      ? ok("operations.traces", "Traces", `OTLP/HTTP to ${new URL(traces.endpoint).origin}`)
      : skipped("operations.traces", "Traces", "OTEL_EXPORTER_OTLP_ENDPOINT is not set: traces are off"),
  ];
}

// `npm run doctor`: checks the production configuration against the cloud before customers find out what is wrong
// (docs/operations.md "The doctor"). Reads the configuration exactly as the portal does (lib/config.ts, from the
// environment or .env), then: authority discovery for the home tenant; a token with each configured credential;
// the app registration as Microsoft Graph shows it (audience, redirect URIs, app roles and who holds them, API
// permissions and their admin consent in the home tenant, the credentials it knows and their expiry);
// DATAVERSE_ALLOWED_HOST_SUFFIXES against the authority's cloud; the database reachable and migrated; the job
// queue's schema; SMTP (a real connection); WEBHOOK_URL answering a signed test event. Changes nothing.
//
//   npm run doctor                      a report for people; exit 0 only when nothing is wrong
//   npm run doctor -- --json            the same as JSON, for scripts
//   npm run doctor -- --send-test-mail  also sends one e-mail to PORTAL_SUPPORT_EMAIL
//   npm run doctor -- --strict          warnings fail too
import { ConfigError, config } from "../lib/config";
import { KeyVaultReferenceError, resolveKeyVaultReferences } from "../lib/vault/references";
import {
  checkAuthority,
  checkCredentialExpiry,
  checkCredentials,
  checkHostSuffixes,
  checkObservability,
  checkRegistration,
  checkSmtp,
  checkWebhook,
  judgeDatabase,
  type DatabaseProbe,
} from "../lib/doctor/checks";
import { formatReport, problem, report, type Finding } from "../lib/doctor/findings";
import { createLogger, setLogger } from "../lib/log";
import type { DatabaseTarget } from "../lib/db/url";
import { migrationStatus } from "./db/migrations";
import { openSqlSession } from "./db/raw-sql";

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !["--json", "--send-test-mail", "--strict", "--verbose"].includes(a));
if (unknown.length) {
  console.error(`doctor: unknown option ${unknown.join(", ")} (known: --json, --send-test-mail, --strict, --verbose)`);
  process.exit(2);
}

function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s (${what})`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

async function probeDatabase(target: DatabaseTarget): Promise<DatabaseProbe> {
  let session;
  try {
    session = await within(10_000, "connect", openSqlSession(target));
  } catch (error) {
    // Driver messages can name hosts and users; the doctor's reader is the operator, so the message stays.
    return {
      reachable: false,
      error: error instanceof Error ? error.message : String(error),
      pending: [],
      failed: [],
      queueSchema: null,
    };
  }
  try {
    const status = await within(10_000, "migrations", migrationStatus(session));
    const [exists] = await session.query<{ name: string | null }>("SELECT to_regclass('pgboss.version')::text AS name");
    const version = exists?.name
      ? ((await session.query<{ version: string }>("SELECT version FROM pgboss.version"))[0]?.version ?? null)
      : null;
    return {
      reachable: true,
      pending: status.pending,
      failed: status.failed,
      queueSchema: version === null ? null : Number(version),
    };
  } catch (error) {
    return {
      reachable: false,
      error: error instanceof Error ? error.message : String(error),
      pending: [],
      failed: [],
      queueSchema: null,
    };
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  // The portal's own log lines (one per call to Microsoft) would bury the report.
  if (!args.has("--verbose")) setLogger(createLogger(undefined, "silent"));
  const findings: Finding[] = [];
  let c;
  try {
    // Key Vault references first (docs/protocol/identity.md R1), as the portal does at start.
    await resolveKeyVaultReferences();
    c = config();
  } catch (error) {
    if (error instanceof KeyVaultReferenceError) {
      findings.push(
        problem(
          "error",
          "config",
          "Configuration",
          error.message,
          "The portal refuses to start with it.",
          "Check the reference's vault and secret, and that the portal's identity may read secrets there (README, \"Running without secrets\").",
        ),
      );
      return print(findings);
    }
    if (!(error instanceof ConfigError)) throw error;
    findings.push(
      problem(
        "error",
        "config",
        "Configuration",
        error.message.replace(/^Configuration error: /, ""),
        "The portal refuses to start with it.",
        `Fix ${error.variable} (README, "Configuration"; .env.example lists every variable).`,
      ),
    );
    return print(findings);
  }
  findings.push({
    id: "config",
    status: "ok",
    title: "Configuration",
    detail: `${c.mode} mode, ${c.entra.tenancy}-tenant, database ${c.database.display}`,
  });
  findings.push(await checkAuthority(c));
  const credentials = await checkCredentials(c);
  findings.push(...credentials.findings);
  findings.push(...checkCredentialExpiry(c));
  findings.push(...(await checkRegistration(c, credentials.graphToken)));
  findings.push(checkHostSuffixes(c));
  findings.push(...judgeDatabase(c, await probeDatabase(c.database)));
  findings.push(await checkSmtp(c, { sendTestMail: args.has("--send-test-mail") }));
  findings.push(await checkWebhook(c));
  findings.push(...checkObservability(c));
  return print(findings);
}

function print(findings: Finding[]): number {
  const r = report(findings, args.has("--strict"));
  console.log(args.has("--json") ? JSON.stringify(r, null, 2) : formatReport(r));
  return r.ok ? 0 : 1;
}

// PGlite and MSAL keep the event loop alive: the exit is explicit.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`doctor failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

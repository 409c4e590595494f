// `npm run doctor` against the emulator, run as an operator runs it (a child process reading its environment):
// a correct registration exits 0; a registration broken in each way (one emulator scenario each), an unreachable
// webhook receiver or SMTP server and an unmigrated database each exit non-zero, naming the problem and its fix.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BROKEN_REGISTRATIONS,
  DEMO_IDS,
  EMULATED_DATAVERSE_HOST_SUFFIXES,
  registrationScenario,
  startEmulator,
  testCredentials,
  type BrokenRegistration,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { applyMigrations } from "@/scripts/db/migrations";
import { parseDatabaseUrl } from "@/lib/db/url";
import { startMailCapture, type MailCapture } from "@/scripts/mail-capture";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

const PORTAL_URL = "https://onboarding.northwind.example";
const WEBHOOK_SECRET = "doctor-test-webhook-secret-0123456789";

type Finding = { id: string; status: string; title: string; detail: string; why?: string; fix?: string };
type Report = { ok: boolean; errors: number; warnings: number; findings: Finding[] };

let database: TestDatabase;
let mail: MailCapture;
let webhook: WebhookReceiver;
let files: string;

beforeAll(async () => {
  database = await createTestDatabase("postgres");
  await applyMigrations(parseDatabaseUrl(database.url));
  mail = await startMailCapture();
  webhook = await startWebhookReceiver(WEBHOOK_SECRET);
  files = await mkdtemp(path.join(os.tmpdir(), "doctor-"));
  await writeFile(path.join(files, "cert.pem"), testCredentials().certificate.certPem);
  await writeFile(path.join(files, "key.pem"), testCredentials().certificate.keyPem);
}, 120_000);

afterAll(async () => {
  await webhook?.close();
  await mail?.close();
  await database?.drop();
  if (files) await rm(files, { recursive: true, force: true });
});

function environment(emu: EmulatorHandle, overrides: Record<string, string> = {}): Record<string, string> {
  const credentials = testCredentials();
  return {
    // The emulator's Graph and environments live under .localhost, which the portal resolves to loopback only in demo mode.
    PORTAL_MODE: "demo",
    AUTH_URL: PORTAL_URL,
    DATABASE_URL: database.url,
    ENTRA_AUTHORITY_HOST: emu.authorityHost,
    ENTRA_CLIENT_ID: DEMO_IDS.clientId,
    ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
    ENTRA_CLIENT_SECRET: credentials.secret.value,
    ENTRA_CLIENT_SECRET_EXPIRES_AT: credentials.secret.expiresAt,
    ENTRA_CLIENT_CERTIFICATE_PATH: path.join(files, "cert.pem"),
    ENTRA_CLIENT_PRIVATE_KEY_PATH: path.join(files, "key.pem"),
    GRAPH_URL: emu.graphUrl,
    GLOBAL_DISCOVERY_URL: emu.globalDiscoveryUrl,
    DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
    SMTP_URL: mail.smtpUrl,
    WEBHOOK_URL: webhook.url,
    WEBHOOK_SECRET,
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
    ...overrides,
  };
}

function runDoctor(
  env: Record<string, string>,
  args: string[] = ["--json"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what an operator would set: no variable of this test process leaks into the doctor's configuration.
    const keep = ["PATH", "HOME", "TMPDIR", "LANG"];
    const base: NodeJS.ProcessEnv = {
      NODE_ENV: "production",
      ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!])),
    };
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      ["--conditions=react-server", "scripts/doctor.ts", ...args],
      { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function doctorAgainst(
  kind: "correct" | BrokenRegistration,
  overrides: Record<string, string> = {},
  args?: string[],
) {
  const emu = await startEmulator({
    scenario: registrationScenario(kind, { portalUrl: PORTAL_URL, credentials: testCredentials() }),
  });
  try {
    const result = await runDoctor(environment(emu, overrides), args);
    return { ...result, report: args ? null : (JSON.parse(result.stdout) as Report) };
  } finally {
    await emu.close();
  }
}

const errorsOf = (r: Report) => r.findings.filter((f) => f.status === "error");

describe("npm run doctor", () => {
  it("exits 0 for a correct registration and configuration, every check passing or skipped for a reason", async () => {
    const { code, report, stderr } = await doctorAgainst("correct");
    expect(stderr).toBe("");
    expect(errorsOf(report!)).toEqual([]);
    expect(code).toBe(0);
    expect(report!.ok).toBe(true);
    const byId = new Map(report!.findings.map((f) => [f.id, f]));
    for (const id of [
      "entra.authority",
      "entra.token.ENTRA_CLIENT_SECRET",
      "entra.token.ENTRA_CLIENT_CERTIFICATE_PATH",
      "registration.audience",
      "registration.redirect-uris",
      "registration.app-roles",
      "registration.staff-roles",
      "registration.api-role",
      "registration.permissions",
      "registration.home-consent",
      "registration.certificate",
      "registration.secret.ENTRA_CLIENT_SECRET",
      "database.reachable",
      "database.migrations",
      "mail.smtp",
      "webhooks.receiver",
    ]) {
      expect(byId.get(id)?.status, id).toBe("ok");
    }
    // No mail without --send-test-mail; the webhook receiver got one signed test event.
    expect(mail.messages()).toEqual([]);
    expect(webhook.received.at(-1)).toMatchObject({ signatureValid: true, json: { type: "portal.test" } });
  });

  const expectations: Record<BrokenRegistration, { id: string; detail: RegExp; fix: RegExp }> = {
    "redirect-uri-missing": {
      id: "registration.redirect-uris",
      detail: /https:\/\/onboarding\.northwind\.example\/consent\/callback/,
      fix: /Authentication → Web → Add URI|--web-redirect-uris/,
    },
    "single-tenant": {
      id: "registration.audience",
      detail: /AzureADMyOrg.*AzureADMultipleOrgs/,
      fix: /--sign-in-audience AzureADMultipleOrgs/,
    },
    "app-role-missing": {
      id: "registration.app-roles",
      detail: /Support\.Operator is not defined/,
      fix: /App roles → Create app role/,
    },
    "staff-without-role": {
      id: "registration.staff-roles",
      detail: /nobody holds Support\.Operator or Support\.Admin/,
      fix: /Users and groups → Add user\/group/,
    },
    "back-end-without-role": {
      id: "registration.api-role",
      detail: /no application holds Connections\.Read/,
      fix: /Application permissions → Connections\.Read/,
    },
    "graph-permission-not-granted": {
      id: "registration.home-consent",
      detail: /Microsoft Graph CrossTenantInformation\.ReadBasic\.All \(application\)/,
      fix: /Grant admin consent|az ad app permission admin-consent/,
    },
    "global-discovery-not-granted": {
      id: "registration.home-consent",
      detail: /Dynamics CRM user_impersonation \(delegated\)/,
      fix: /az ad app permission admin-consent --id/,
    },
    "certificate-unknown": {
      id: "registration.certificate",
      detail: /is not one of the registration's 0 certificates/,
      fix: /az ad app credential reset --id .* --cert/,
    },
    "secret-expired": {
      id: "entra.token.ENTRA_CLIENT_SECRET",
      detail: /expired on the registration \(AADSTS7000222\)/,
      fix: /az ad app credential reset/,
    },
    "directory-read-missing": {
      id: "registration.read-permissions",
      detail: /lacks Application\.Read\.All and Directory\.Read\.All/,
      fix: /appRoleAssignments --body .*9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30/,
    },
  };

  it.each(BROKEN_REGISTRATIONS)(
    "exits non-zero for the registration broken as %s, naming the problem and its fix",
    async (kind) => {
      const { code, report } = await doctorAgainst(kind);
      expect(code).toBe(1);
      const expected = expectations[kind];
      const finding = report!.findings.find((f) => f.id === expected.id && f.status === "error");
      expect(finding, `${expected.id} in ${JSON.stringify(errorsOf(report!), null, 1)}`).toBeDefined();
      expect(finding!.detail).toMatch(expected.detail);
      expect(finding!.why).toBeTruthy();
      expect(finding!.fix).toMatch(expected.fix);
    },
  );

  it("names an unreachable webhook receiver, an unreachable SMTP server and an unmigrated database", async () => {
    const fresh = await createTestDatabase("postgres");
    try {
      const { code, report } = await doctorAgainst("correct", {
        WEBHOOK_URL: "http://127.0.0.1:9/hooks/portal",
        SMTP_URL: "smtp://127.0.0.1:9",
        DATABASE_URL: fresh.url,
      });
      expect(code).toBe(1);
      const errors = new Map(errorsOf(report!).map((f) => [f.id, f]));
      expect(errors.get("webhooks.receiver")?.detail).toMatch(/could not be reached/);
      expect(errors.get("webhooks.receiver")?.fix).toMatch(/WEBHOOK_URL/);
      expect(errors.get("mail.smtp")?.fix).toMatch(/SMTP_URL/);
      expect(errors.get("database.migrations")?.detail).toMatch(/not applied: \d{14}_/);
      expect(errors.get("database.migrations")?.fix).toMatch(/npm run db:migrate/);
    } finally {
      await fresh.drop();
    }
  });

  it("prints a report for people: each problem with why it matters and its fix", async () => {
    const { code, stdout } = await doctorAgainst("redirect-uri-missing", {}, []);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^✖ Redirect URIs: missing from the Web platform: https:\/\/onboarding\.northwind\.example\/consent\/callback$/m,
    );
    expect(stdout).toMatch(/^ {4}Why it matters: .*AADSTS50011/m);
    expect(stdout).toMatch(/^ {4}Fix: /m);
    expect(stdout).toMatch(/^✔ Authority discovery: /m);
    expect(stdout).toMatch(/1 problem/);
  });

  it("names a configuration error and stops there", async () => {
    const result = await runDoctor({
      PORTAL_MODE: "production",
      ENTRA_CLIENT_ID: "my-app",
      DATABASE_URL: "postgresql://x@127.0.0.1:9/x",
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: "config",
        status: "error",
        detail: expect.stringContaining("ENTRA_CLIENT_ID must be a GUID"),
      }),
    ]);
  });
});

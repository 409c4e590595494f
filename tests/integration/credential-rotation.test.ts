// Credential rotation without downtime: two secrets configured; the first expires in the emulator mid-life and the
// scheduled checks keep passing with the second. The fallback is audited once and e-mailed once (captured by a real
// SMTP server), however many requests met the expired secret; the console's data says which one is in use now.
// Expiry reminders go out once at 30, 7 and 1 days (clock injected), also when several workers run them at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS, testCredentials } from "@tenant-onboarding/emulator";
import { startMailCapture, type MailCapture } from "@/scripts/mail-capture";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { Browser, REDIRECT_URI, resultParams } from "@/tests/emulator/helpers";
import { forgetTokens } from "../support/tokens";
import { useRecheckWorker } from "../support/recheck-worker";
import { setTestEnv } from "../support/config";
import { config } from "@/lib/config";
import type { RecheckWorker } from "@/lib/recheck";

const h = useCheckHarness("pglite");
const FABRIKAM = DEMO_IDS.tenants.fabrikam;
const DAY_MS = 86_400_000;
let mail: MailCapture;
let worker: RecheckWorker;
let secondSecret: string;

beforeAll(async () => {
  mail = await startMailCapture();
  // The app registration now holds a second secret (added by the operator before the first runs out).
  const second = h.emulator.admin.addSecret({
    expiresAt: new Date(Date.now() + 90 * DAY_MS).toISOString(),
    displayName: "next secret",
  });
  secondSecret = second.value;
  setTestEnv({
    SMTP_URL: mail.smtpUrl,
    EMAIL_FROM: "alerts@northwind.example",
    RECHECK_INTERVAL_MINUTES: "1",
    // The first secret, by configuration, expires last: it is the one used first.
    ENTRA_CLIENT_SECRET_EXPIRES_AT: new Date(Date.now() + 365 * DAY_MS).toISOString(),
    ENTRA_CLIENT_SECRET_2: second.value,
    ENTRA_CLIENT_SECRET_2_EXPIRES_AT: second.expiresAt,
  });
  await runHarnessCheck(h, FABRIKAM, "fabrikam");
  worker = await workers.start();
}, 120_000);

afterAll(async () => {
  await mail?.close();
});
// Registered after the mail capture's clean-up, so it runs before it (after-all hooks run last first): the
// workers stop while the SMTP server is still there.
const workers = useRecheckWorker();

/** The next scheduled run with fresh tokens (the tenant's cached tokens dropped), worked to the end. */
async function scheduledRun() {
  const { planRechecks } = await import("@/lib/recheck");
  await forgetTokens(FABRIKAM);
  expect(await planRechecks(new Date(), { jitter: false })).toBe(1);
  await worker.drain();
  const { db } = await import("@/lib/db/client");
  return db().environment.findFirstOrThrow({
    where: { tenantId: FABRIKAM },
    select: { health: true, healthCauseId: true, latestCheck: { select: { outcome: true, trigger: true } } },
  });
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function inUse() {
  const { credentialsOverview } = await import("@/lib/credentials");
  return credentialsOverview(config().entra.credentials);
}

// One story in steps, in the order written, also under --sequence.shuffle: the process remembers a secret Entra
// rejected (lib/entra) from one test to the next, and the last test relies on it.
describe("credential rotation", { shuffle: false }, () => {
  it("the first secret expires mid-life: checks keep passing with the second; one audit event, one e-mail", async () => {
    expect(await scheduledRun()).toMatchObject({
      health: "HEALTHY",
      latestCheck: { outcome: "PASSED", trigger: "SCHEDULED" },
    });
    expect((await inUse()).map((c) => [c.label, c.inUse])).toEqual([
      ["Client secret (ENTRA_CLIENT_SECRET)", true],
      ["Second client secret (ENTRA_CLIENT_SECRET_2)", false],
    ]);
    const before = mail.messages().length;

    h.emulator.admin.expireSecret(testCredentials().secret.keyId);
    // Eight checks at once over two tenants with empty caches: per tenant, one request meets the expired secret and
    // one is sent with the second — coalesced, not per check.
    const { runCheck } = await import("@/lib/checks/launch");
    const { testCustomerScope } = await import("../support/customer-scope");
    const { db } = await import("@/lib/db/client");
    const ADVENTURE = DEMO_IDS.tenants.adventureWorks;
    await db().tenant.upsert({
      where: { id: ADVENTURE },
      create: { id: ADVENTURE, consentState: "GRANTED" },
      update: {},
    });
    const targets = await Promise.all(
      (
        [
          [FABRIKAM, "fabrikam"],
          [ADVENTURE, "adventureworks"],
        ] as const
      ).map(async ([tenantId, name]) => {
        const url = h.emulator.environmentUrl(name);
        const env = await db().environment.upsert({
          where: { url },
          create: { tenantId, url },
          update: {},
          select: { id: true },
        });
        return { tenantId, target: { environmentId: env.id, environmentUrl: url } };
      }),
    );
    await forgetTokens(...targets.map((t) => t.tenantId));
    h.emulator.admin.setFaults({ latencyMs: 100 });
    const logStart = h.emulator.requestLog().length;
    const concurrent = await Promise.all(
      [...Array(8).keys()].map(async (i) =>
        runCheck(await testCustomerScope(targets[i % 2]!.tenantId), targets[i % 2]!.target, "CUSTOMER"),
      ),
    );
    h.emulator.admin.setFaults({ latencyMs: 0 });
    // Every check got its token (Adventure Works' application user lacks the role in the demo, so only its later steps fail).
    const tokenSteps = await db().checkStep.findMany({
      where: { checkId: { in: concurrent.map((r) => r.checkId) }, name: "token" },
      select: { outcome: true },
    });
    expect(tokenSteps.map((t) => t.outcome)).toEqual(Array(8).fill("PASSED"));
    expect(concurrent.filter((_, i) => i % 2 === 0).map((r) => r.outcome)).toEqual(Array(4).fill("PASSED"));
    const tokens = h.emulator
      .requestLog()
      .slice(logStart)
      .filter((e) => e.kind === "entra.token") as Array<{ tenantId?: string; status?: number }>;
    for (const t of targets) {
      const statuses = tokens.filter((e) => e.tenantId === t.tenantId).map((e) => e.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(1);
    }
    // Three runs with fresh tokens after the expiry, and a customer's own check: all pass.
    for (let run = 0; run < 3; run++)
      expect(await scheduledRun()).toMatchObject({ health: "HEALTHY", latestCheck: { outcome: "PASSED" } });
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");

    const overview = await inUse();
    expect(overview.map((c) => [c.label, c.inUse])).toEqual([
      ["Client secret (ENTRA_CLIENT_SECRET)", false],
      ["Second client secret (ENTRA_CLIENT_SECRET_2)", true],
    ]);
    expect(overview[0]!.rejection).toMatchObject({ code: 7000222 });
    expect(overview[1]!.rejection).toBeNull();

    await until("the fallback e-mail", () => mail.messages().length === before + 1);
    await new Promise((r) => setTimeout(r, 500));
    const sent = mail.messages().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ["support@northwind.example"], from: "alerts@northwind.example" });
    expect(sent[0]!.subject).toBe(
      "Northwind Sync: Entra ID rejected Client secret (ENTRA_CLIENT_SECRET); now using Second client secret (ENTRA_CLIENT_SECRET_2)",
    );
    expect(sent[0]!.text).toContain("AADSTS7000222");
    // Never a secret in the e-mail.
    expect(sent[0]!.text).not.toContain(testCredentials().secret.value);
    expect(sent[0]!.text).not.toContain(secondSecret);

    const audits = await db().auditEvent.findMany({
      where: { action: "credential.fallback" },
      select: { actorKind: true, targetId: true, details: true },
    });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorKind: "SYSTEM",
      targetId: overview[0]!.id,
      details: { code: 7000222, fallbackTo: "Second client secret (ENTRA_CLIENT_SECRET_2)" },
    });
    expect(JSON.stringify(audits)).not.toContain(testCredentials().secret.value);
  }, 120_000);

  it("a fallback met by several replicas at once is recorded once", async () => {
    const { noteCredentialFallback } = await import("@/lib/credentials");
    const { describeCredential } = await import("@/lib/entra/credentials");
    const [first, second] = config().entra.credentials.map(describeCredential);
    const { db } = await import("@/lib/db/client");
    const before = await db().auditEvent.count({ where: { action: "credential.fallback" } });
    const mailsBefore = mail.messages().length;
    // Another code for the first secret: a new rejection, noticed by five "replicas" at the same moment.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        noteCredentialFallback({ rejected: first!, code: 7000215, next: second!, request: "app-token" }),
      ),
    );
    expect(await db().auditEvent.count({ where: { action: "credential.fallback" } })).toBe(before + 1);
    expect(await db().mailMessage.count({ where: { kind: "credential.fallback" } })).toBe(2);
    await until("the e-mail", () => mail.messages().length === mailsBefore + 1);
    expect(mail.messages().at(-1)!.text).toContain("AADSTS7000215");
  });

  it("reminds staff 30, 7 and 1 days before a credential expires, each once, also with several workers", async () => {
    const { sendExpiryReminders } = await import("@/lib/credentials");
    const expiresAt = new Date("2027-03-01T00:00:00Z");
    const credentials = [
      {
        kind: "secret" as const,
        slot: "ENTRA_CLIENT_SECRET" as const,
        secret: "reminder-test-secret-value",
        expiresAt,
      },
    ];
    const at = (daysBefore: number) => new Date(expiresAt.getTime() - daysBefore * DAY_MS);
    const before = mail.messages().length;
    const days: number[] = [];
    for (const daysBefore of [45, 31, 30, 29.5, 20, 8, 7, 6.9, 3, 1, 0.5, 0.1, -1]) {
      // Three workers run the daily job at the same moment.
      const runs = await Promise.all([0, 1, 2].map(() => sendExpiryReminders(at(daysBefore), credentials)));
      days.push(...runs.flat().map((r) => r.days));
    }
    expect(days).toEqual([30, 7, 1]);
    await until("the reminder e-mails", () => mail.messages().length === before + 3);
    expect(
      mail
        .messages()
        .slice(before)
        .map((m) => m.subject),
    ).toEqual([
      "Northwind Sync: Client secret (ENTRA_CLIENT_SECRET) expires in 30 days",
      "Northwind Sync: Client secret (ENTRA_CLIENT_SECRET) expires in 7 days",
      "Northwind Sync: Client secret (ENTRA_CLIENT_SECRET) expires in 1 day",
    ]);
    const { db } = await import("@/lib/db/client");
    expect(await db().auditEvent.count({ where: { action: "credential.expiry_reminder" } })).toBe(3);
  }, 60_000);

  it("a credential deployed 5 days before its end gets one reminder (7 days), not the 30-day one too", async () => {
    const { sendExpiryReminders } = await import("@/lib/credentials");
    const expiresAt = new Date("2027-05-01T00:00:00Z");
    const credentials = [
      {
        kind: "secret" as const,
        slot: "ENTRA_CLIENT_SECRET_2" as const,
        secret: "late-deployed-secret-value",
        expiresAt,
      },
    ];
    expect(await sendExpiryReminders(new Date(expiresAt.getTime() - 5 * DAY_MS), credentials)).toEqual([
      { credentialId: expect.stringMatching(/^secret:/), days: 7 },
    ]);
    expect(await sendExpiryReminders(new Date(expiresAt.getTime() - 4 * DAY_MS), credentials)).toEqual([]);
    expect(await sendExpiryReminders(new Date(expiresAt.getTime() - 0.9 * DAY_MS), credentials)).toEqual([
      { credentialId: expect.stringMatching(/^secret:/), days: 1 },
    ]);
  });

  it("the daily reminder job is on the queue: scheduled every day and run once at start", async () => {
    const { queue, QUEUES } = await import("@/lib/queue");
    const { startCredentialReminders, EXPIRY_REMINDER_CRON } = await import("@/lib/credentials");
    const boss = await queue({ worker: true });
    const jobId = await startCredentialReminders(boss);
    expect(jobId).toBeTruthy();
    expect((await boss.getSchedules()).filter((s) => s.name === QUEUES.credentialReminders).map((s) => s.cron)).toEqual(
      [EXPIRY_REMINDER_CRON],
    );
    // A second process starting in the same hour queues no second start-up run.
    expect(await startCredentialReminders(boss)).toBeNull();
    await until(
      "the start-up run",
      async () => (await boss.getJobById(QUEUES.credentialReminders, jobId!))?.state === "completed",
      60_000,
    );
  }, 90_000);

  // Kept last: it leaves the app registration as the emulator started (the second secret gone).
  it("the delegated code redemption falls back too: the same code is redeemed with the other secret", async () => {
    // Back to the starting registration: the first secret valid again, the second one unknown (as if removed).
    // This process still avoids the first (rejected in the first test), so the second is tried first and refused.
    h.emulator.admin.reset();
    const { delegatedAuthorizationUrl, newPkcePair, redeemDelegatedCode, userImpersonationScope } =
      await import("@/lib/entra/delegated");
    const pkce = await newPkcePair();
    const scope = userImpersonationScope(h.emulator.environmentUrl("fabrikam"));
    const url = await delegatedAuthorizationUrl({
      tenantId: FABRIKAM,
      scope,
      redirectUri: REDIRECT_URI,
      state: "rotation",
      codeChallenge: pkce.challenge,
      loginHint: null,
    });
    const browser = new Browser(h.emulator);
    let step = await browser.click(await browser.open(url), "Sign in as Diego Siciliani");
    if (browser.buttonLabels(step).includes("Accept")) step = await browser.click(step, "Accept");
    const code = resultParams(step).get("code");
    expect(code).toBeTruthy();
    const logStart = h.emulator.requestLog().length;
    const token = await redeemDelegatedCode({
      tenantId: FABRIKAM,
      scope,
      redirectUri: REDIRECT_URI,
      code: code!,
      codeVerifier: pkce.verifier,
    });
    expect(token.tenantId).toBe(FABRIKAM);
    expect(token.accessToken.split(".")).toHaveLength(3);
    const redemptions = h.emulator
      .requestLog()
      .slice(logStart)
      .filter((e) => e.kind === "entra.token") as Array<{ grantType?: string; status?: number }>;
    expect(redemptions.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 401],
      ["authorization_code", 200],
    ]);
    const { db } = await import("@/lib/db/client");
    const { describeCredential } = await import("@/lib/entra/credentials");
    const secondId = describeCredential(config().entra.credentials[1]!).id;
    expect(
      await db().auditEvent.findMany({
        where: { action: "credential.fallback", targetId: secondId },
        select: { details: true },
      }),
    ).toEqual([{ details: expect.objectContaining({ code: 7000215, request: "delegated" }) }]);
  });
});

// eslint.config.js boundaries: each rule fails a wrong import and lets the right one through, linted with the
// repository's own configuration on a virtual file at the path where it would live.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const cases: Array<{ file: string; wrong: string; right: string; says: RegExp }> = [
  {
    file: "components/ui/new-thing.tsx",
    wrong: 'import { signOutAction } from "@/app/(public)/actions";',
    right: 'import { Button } from "@/components/ui/button";',
    says: /beside its route/,
  },
  {
    file: "components/ui/relative.tsx",
    wrong: 'import { x } from "../../app/(public)/actions";',
    right: 'import { x } from "./button";',
    says: /beside its route/,
  },
  {
    file: "lib/onboarding/new-rule.ts",
    wrong: 'import { x } from "@/app/(onboarding)/onboarding/actions";',
    right: 'import { x } from "@/lib/config";',
    says: /Only app\/ imports app\//,
  },
  {
    file: "lib/onboarding/new-rule.ts",
    wrong: 'import { Button } from "@/components/ui/button";',
    right: 'import { x } from "@/lib/data/tenants";',
    says: /UI lives in components/,
  },
  {
    file: "lib/http/new.ts",
    wrong: 'import { loopbackLookup } from "@/emulator/index";',
    right: 'import { x } from "@/lib/http/outbound";',
    says: /only through configuration/,
  },
  {
    file: "app/(support)/console/new/page.tsx",
    wrong: 'import { x } from "../../../../emulator/index";',
    right: 'import { x } from "@/lib/data/support/tenants";',
    says: /only through configuration/,
  },
  {
    file: "components/site-new.tsx",
    wrong: 'import { DEMO_IDS } from "@/emulator/index";',
    right: 'import { x } from "@/lib/config";',
    says: /only through configuration/,
  },
  {
    file: "lib/http/new.ts",
    wrong: 'import { loopbackLookup } from "@tenant-onboarding/emulator";',
    right: 'import { x } from "@/lib/http/outbound";',
    says: /only through configuration/,
  },
  {
    file: "app/(public)/new/page.tsx",
    wrong: 'import { x } from "@tenant-onboarding/emulator/testing";',
    right: 'import { x } from "@/lib/config";',
    says: /only through configuration/,
  },
  {
    file: "proxy.ts",
    wrong: 'import { DEMO_IDS } from "@tenant-onboarding/emulator";',
    right: 'import { x } from "@/lib/config";',
    says: /only through configuration/,
  },
  {
    file: "app/(onboarding)/onboarding/new/page.tsx",
    wrong: 'import { listTenants } from "@/lib/data/support/tenants";',
    right: 'import { x } from "@/lib/data/tenants";',
    says: /staff-only/,
  },
  {
    file: "app/(public)/new/page.tsx",
    wrong: 'import { x } from "../../../lib/data/support/overview";',
    right: 'import { x } from "@/lib/data/environments";',
    says: /staff-only/,
  },
  {
    file: "lib/data/new.ts",
    wrong: 'import { recordCheck } from "@/lib/observability/metrics";',
    right: 'import { db } from "@/lib/db/client";',
    says: /instrumented at the edges/,
  },
  {
    file: "emulator/entra/new.ts",
    wrong: 'import { config } from "../../lib/config";',
    right: 'import { x } from "../scenario";',
    says: /must not import the portal/,
  },
  {
    file: "emulator/entra/new.ts",
    wrong: 'import { x } from "@/emulator/scenario";',
    right: 'import { x } from "../scenario";',
    says: /must not import the portal/,
  },
  // Scripts and tests: the emulator package's entries only (emulator/package.json "exports").
  {
    file: "scripts/new.ts",
    wrong: 'import { x } from "../emulator/hosts";',
    right: 'import { x } from "@tenant-onboarding/emulator";',
    says: /through its package/,
  },
  {
    file: "scripts/new.ts",
    wrong: 'import { x } from "@tenant-onboarding/emulator/testing";',
    right: 'import { x } from "@tenant-onboarding/emulator";',
    says: /entries are/,
  },
  {
    file: "tests/emulator/new.test.ts",
    wrong: 'import { x } from "@/emulator/tls";',
    right: 'import { x } from "@tenant-onboarding/emulator/testing";',
    says: /through its package/,
  },
  {
    file: "tests/e2e/new.spec.ts",
    wrong: 'import { x } from "../../emulator/demo-ids";',
    right: 'import { x } from "@tenant-onboarding/emulator";',
    says: /through its package/,
  },
  {
    file: "tests/integration/new.test.ts",
    wrong: 'import { x } from "@tenant-onboarding/emulator/hosts";',
    right: 'import { x } from "@tenant-onboarding/emulator/testing";',
    says: /entries are/,
  },
];

describe("lint boundaries", () => {
  it.each(cases)("$file: $wrong fails, $right passes", async ({ file, wrong, right, says }) => {
    const wrongMessages = await restrictedImports(file, `${wrong}\nvoid x;\n`);
    expect(wrongMessages).toHaveLength(1);
    expect(wrongMessages[0]).toMatch(says);
    expect(await restrictedImports(file, `${right}\nvoid x;\n`)).toEqual([]);
  });
});

// lib's layers (eslint.config.js LIB_LAYERS, docs/architecture.md "Layers"): each layer's rule fails a value import
// from a layer above it, and lets through one from its own layer or below, a leaf, or a type.
async function layerViolations(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports")
    .map((m) => m.message);
}

const layerCases: Array<{ file: string; wrong: string; right: string; says: RegExp }> = [
  {
    file: "lib/config.ts",
    wrong: 'import { runCheck } from "@/lib/checks/launch";',
    right: 'import type { RequiredPrivilege } from "@/lib/checks/vocabulary";',
    says: /foundation .* imports nothing above it/,
  },
  {
    file: "lib/observability/new.ts",
    wrong: 'import { queueGauges } from "@/lib/data/operations";',
    right: 'import { config } from "@/lib/config";',
    says: /foundation .* imports nothing above it/,
  },
  {
    file: "lib/http/new.ts",
    wrong: 'import { getTenant } from "@/lib/data/tenants";',
    right: 'import { problemResponse } from "@/lib/api/problem";',
    says: /infrastructure \(http, queue\) imports nothing above it/,
  },
  {
    file: "lib/data/new.ts",
    wrong: 'import { checkFinished } from "@/lib/events";',
    right: 'import { CHECK_STEPS } from "@/lib/checks/vocabulary";',
    says: /data \(data\) imports nothing above it/,
  },
  {
    file: "lib/data/new.ts",
    wrong: 'import { publishLifecycleEvent } from "@/lib/webhooks";',
    right: 'import type { EnvironmentUrl } from "@/lib/dataverse/environment-url";',
    says: /data \(data\) imports nothing above it/,
  },
  {
    file: "lib/data/support/new.ts",
    wrong: 'import { findTenantInformation } from "../../../lib/entra/tenant-information";',
    right: 'import { db } from "@/lib/db/client";',
    says: /data \(data\) imports nothing above it/,
  },
  {
    file: "lib/notifications/new.ts",
    wrong: 'import { consentProofToken } from "@/lib/entra/msal";',
    right: 'import { queue } from "@/lib/queue";',
    says: /outboxes .* imports nothing above it/,
  },
  {
    file: "lib/entra/new.ts",
    wrong: 'import { checkFinished } from "@/lib/events";',
    right: 'import { queueMail } from "@/lib/notifications";',
    says: /Microsoft clients .* imports nothing above it/,
  },
  {
    file: "lib/events/new.ts",
    wrong: 'import { launchCheck } from "@/lib/checks/launch";',
    right: 'import { SUBSCRIPTION_EVENT_TYPES } from "@/lib/subscriptions/vocabulary";',
    says: /events \(events\) imports nothing above it/,
  },
  {
    file: "lib/checks/new.ts",
    wrong: 'import { startWorker } from "@/lib/worker";',
    right: 'import { checkFinished } from "@/lib/events";',
    says: /domain .* imports nothing above it/,
  },
];

describe("lib layers", () => {
  it.each(layerCases)("$file: $wrong fails, $right passes", async ({ file, wrong, right, says }) => {
    const wrongMessages = await layerViolations(file, `${wrong}\nvoid x;\n`);
    expect(wrongMessages).toHaveLength(1);
    expect(wrongMessages[0]).toMatch(says);
    expect(await layerViolations(file, `${right}\nvoid x;\n`)).toEqual([]);
  });
});

import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import globals from "globals";
import tseslint from "typescript-eslint";

// Module boundaries (docs/architecture.md "Boundaries"): each entry forbids imports by path pattern, whether
// written with the @/ alias or relatively. tests/unit/lint-boundaries.test.ts proves each one fails a wrong import.
const appImports = {
  group: ["@/app", "@/app/**", "**/app/**"],
  message:
    "Only app/ imports app/: a component that calls a server action lives beside its route in app/(group)/…/_components/.",
};
const componentImports = {
  group: ["@/components", "@/components/**", "**/components/**"],
  message: "lib/ is server-side logic; UI lives in components/ and app/.",
};
// The emulator is its own npm workspace package, @tenant-onboarding/emulator (emulator/package.json).
const emulatorImports = {
  group: [
    "@tenant-onboarding/emulator",
    "@tenant-onboarding/emulator/**",
    "@/emulator",
    "@/emulator/**",
    "**/emulator/**",
  ],
  message: "The portal reaches the emulator only through configuration (URLs), never by import.",
};
// Scripts and tests use the package's entries only; /testing (the internals its own tests check) is for tests.
const emulatorByPath = {
  regex: "^(@/|(\\.\\.?/)+)emulator(/|$)",
  message: "Import the emulator through its package, @tenant-onboarding/emulator, never a file by path.",
};
const emulatorDeepImport = (allowed) => ({
  regex: `^@tenant-onboarding/emulator/(?!(${allowed.join("|")})$)`,
  message: `The emulator's entries are @tenant-onboarding/emulator${allowed.map((e) => ` and @tenant-onboarding/emulator/${e}`).join("")} (emulator/package.json "exports").`,
});
const supportDataImports = {
  group: ["@/lib/data/support", "@/lib/data/support/**", "**/lib/data/support/**"],
  message:
    "Customer routes read through the tenant-scoped lib/data/ modules; lib/data/support/ is staff-only and unscoped.",
};
const portalImports = {
  group: ["@/**", "**/lib/**", "**/app/**", "**/components/**"],
  message:
    "The emulator is Microsoft's side, a package of its own: it must not import the portal (nor use the portal's @/ alias).",
};
const observabilityImports = {
  group: ["@/lib/observability", "@/lib/observability/**", "**/lib/observability/**"],
  message:
    "lib/data/ returns facts; metrics and traces are instrumented at the edges (outbound calls, the check runner, the queue), never in data access.",
};
// lib's layers (docs/architecture.md "Layers"), bottom to top: a unit (a folder of lib, or a top-level file) imports
// only from its own layer or those below it. A type may be named from anywhere (`import type` is erased: no module
// is loaded at run time); the leaves — the vocabularies and a few other files that import nothing of lib — are
// importable from every layer. tests/unit/import-cycles.test.ts proves there is no cycle inside a layer either.
const LIB_LAYERS = [
  {
    name: "foundation",
    units: [
      "config",
      "log",
      "redact",
      "db",
      "validators",
      "text",
      "tokens",
      "safe-return-path",
      "request-origin",
      "audit",
      "observability",
    ],
  },
  { name: "infrastructure", units: ["http", "queue"] },
  { name: "data", units: ["data"] },
  { name: "outboxes", units: ["notifications", "webhooks"] },
  { name: "Microsoft clients", units: ["entra", "dataverse", "vault", "marketplace"] },
  { name: "events", units: ["events"] },
  { name: "domain", units: ["checks", "onboarding", "subscriptions", "auth", "api", "credentials", "recheck"] },
  { name: "entry points", units: ["worker", "startup", "health", "doctor"] },
];
const LIB_LEAVES = [
  "checks/vocabulary",
  "checks/step-results",
  "subscriptions/vocabulary",
  "auth/customer-roles",
  "api/problem",
  "api/connection-state",
];
const TOP_LEVEL_FILES = new Set([
  "config",
  "log",
  "redact",
  "validators",
  "text",
  "tokens",
  "safe-return-path",
  "request-origin",
  "audit",
  "startup",
  "health",
]);
const unitFiles = (unit) => (TOP_LEVEL_FILES.has(unit) ? [`lib/${unit}.ts`] : [`lib/${unit}/**/*.ts`]);
const layerRules = LIB_LAYERS.slice(0, -1).map((layer, i) => {
  const above = LIB_LAYERS.slice(i + 1);
  // lib/<unit above>, spelled with the alias or a path, its files and folders, but not a leaf.
  const regex = `^(@/|.*/)?lib/(?!(${LIB_LEAVES.join("|")})$)(${above.flatMap((l) => l.units).join("|")})(/.*)?$`;
  return {
    files: layer.units.flatMap(unitFiles),
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex,
              allowTypeImports: true,
              message: `lib's layers: ${layer.name} (${layer.units.join(", ")}) imports nothing above it — ${above.map((l) => l.name).join(", ")} (docs/architecture.md "Layers").`,
            },
          ],
        },
      ],
    },
  };
});
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "lib/generated/**",
      ".data/**",
      ".emulator/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: { "@next/next": nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs["core-web-vitals"].rules },
  },
  {
    // process.env belongs to lib/config.ts alone (and to the scripts and tests that start processes).
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.ts"],
    ignores: ["lib/config.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/config.ts." },
      ],
    },
  },
  // Boundaries. Flat config replaces a rule's options per file, so each file set gets its full list once.
  { files: ["components/**/*.{ts,tsx}"], rules: restrict(appImports, emulatorImports) },
  { files: ["lib/**/*.ts"], rules: restrict(appImports, componentImports, emulatorImports) },
  { files: ["lib/data/**/*.ts"], rules: restrict(appImports, componentImports, emulatorImports, observabilityImports) },
  {
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/(public)/**", "app/(onboarding)/**"],
    rules: restrict(emulatorImports),
  },
  {
    files: ["app/(public)/**/*.{ts,tsx}", "app/(onboarding)/**/*.{ts,tsx}"],
    rules: restrict(emulatorImports, supportDataImports),
  },
  { files: ["proxy.ts", "instrumentation.ts"], rules: restrict(emulatorImports) },
  { files: ["emulator/**/*.ts"], rules: restrict(portalImports) },
  { files: ["tests/**/*.ts"], rules: restrict(emulatorByPath, emulatorDeepImport(["testing"])) },
  { files: ["scripts/**/*.{ts,mjs}", "*.config.ts"], rules: restrict(emulatorByPath, emulatorDeepImport([])) },
  ...layerRules,
);

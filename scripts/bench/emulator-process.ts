// The emulator in a process of its own, for benchmarks that measure the portal apart from Microsoft's side, as in
// production, where Microsoft's work is not on the portal's CPU or event loop (scripts/bench/recheck.ts,
// scripts/bench/check.ts). Started with an IPC channel: it builds the scenario it is given (bench customers, or the
// demo scenario), starts the emulator, applies the faults, and sends back what the portal needs to reach it; then
// answers "cpu" with its own CPU time so far, "admin" with a call of its admin interface (faults, request log),
// and "close" by closing and exiting.
//
//   spawn(process.execPath, [...process.execArgv, "scripts/bench/emulator-process.ts"], { stdio: [..., "ipc"] })
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import {
  demoScenario,
  EMULATED_DATAVERSE_HOST_SUFFIXES,
  scenario,
  startEmulator,
  testCredentials,
} from "@tenant-onboarding/emulator";

export type EmulatorSpec = {
  /** Environment names, one list per tenant; "demo": the demo scenario (its customers and environments). */
  environments: string[][] | "demo";
  latencyMs: number;
  /** Environments that answer 429 once, with this Retry-After (seconds). */
  throttle: { environments: string[]; retryAfterSeconds: number };
};

export type EmulatorInfo = {
  authorityHost: string;
  clientId: string;
  homeTenantId: string;
  clientSecret: string;
  hostSuffixes: string[];
  environments: Array<{ name: string; tenantId: string; url: string }>;
  managedIdentity: { endpoint: string; header: string; tokenLifetimeSeconds: number };
};

/** The admin calls a bench makes across the process boundary (emulator/admin.ts). */
export type AdminCall =
  | { method: "setFaults"; args: [{ latencyMs?: number }] }
  | { method: "clearRequestLog"; args: [] }
  | { method: "requestLog"; args: [] };

type FromChild = { ready: EmulatorInfo } | { cpu: NodeJS.CpuUsage } | { admin: unknown } | { error: string };

/** The emulator running in its own process, and how to ask it for its CPU time or close it. */
export async function startEmulatorProcess(spec: EmulatorSpec): Promise<{
  info: EmulatorInfo;
  cpu(): Promise<NodeJS.CpuUsage>;
  admin<T>(call: AdminCall): Promise<T>;
  close(): Promise<void>;
}> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: process.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the emulator process exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message as FromChild);
      });
    });
  const ready = next();
  child.send({ start: spec });
  const first = await ready;
  if (!("ready" in first)) {
    child.kill();
    throw new Error(`the emulator process did not start: ${"error" in first ? first.error : "unexpected answer"}`);
  }
  return {
    info: first.ready,
    async cpu() {
      const answer = next();
      child.send({ cpu: true });
      const message = await answer;
      if (!("cpu" in message)) throw new Error("the emulator process did not say its CPU time");
      return message.cpu;
    },
    async admin<T>(call: AdminCall) {
      const answer = next();
      child.send({ admin: call });
      const message = await answer;
      if (!("admin" in message)) throw new Error(`the emulator process did not answer ${call.method}`);
      return message.admin as T;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ close: true });
      }),
  };
}

async function serve(): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  let close: (() => Promise<void>) | null = null;
  let admin: Awaited<ReturnType<typeof startEmulator>>["admin"] | null = null;
  process.on("message", (message: { start?: EmulatorSpec; cpu?: true; admin?: AdminCall; close?: true }) => {
    void (async () => {
      try {
        if (message.start) {
          const spec = message.start;
          const built =
            spec.environments === "demo"
              ? demoScenario({ credentials: testCredentials() })
              : scenario({
                  credentials: testCredentials(),
                  customers: spec.environments.map((names, t) => ({
                    name: `Bench ${t}`,
                    environments: names.map((name) => ({ name })),
                  })),
                });
          const emulator = await startEmulator({ scenario: built });
          close = () => emulator.close();
          admin = emulator.admin;
          emulator.admin.setFaults({ latencyMs: spec.latencyMs });
          for (const environment of spec.throttle.environments)
            emulator.admin.throttle({ environment, count: 1, retryAfterSeconds: spec.throttle.retryAfterSeconds });
          const shape = built as unknown as {
            app: { clientId: string; homeTenantId: string };
            environments: Array<{ name: string; tenantId: string }>;
          };
          send({
            ready: {
              authorityHost: emulator.authorityHost,
              clientId: shape.app.clientId,
              homeTenantId: shape.app.homeTenantId,
              clientSecret: testCredentials().secret.value,
              hostSuffixes: [...EMULATED_DATAVERSE_HOST_SUFFIXES],
              environments: shape.environments.map((e) => ({
                name: e.name,
                tenantId: e.tenantId,
                url: emulator.environmentUrl(e.name),
              })),
              managedIdentity: {
                ...emulator.managedIdentity,
                tokenLifetimeSeconds: emulator.scenario.settings.managedIdentityTokenLifetimeSeconds,
              },
            },
          });
        } else if (message.cpu) {
          send({ cpu: process.cpuUsage() });
        } else if (message.admin) {
          if (!admin) throw new Error("the emulator has not started");
          const { method, args } = message.admin;
          const result = (admin[method] as (...a: unknown[]) => unknown)(...args);
          send({ admin: result ?? null });
        } else if (message.close) {
          await close?.();
          process.exit(0);
        }
      } catch (error) {
        send({ error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  // The parent went away: so does the emulator.
  process.on("disconnect", () => process.exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void serve();

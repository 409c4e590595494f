// Runs the production build (`next start`) as a separate process with a chosen environment.
import { spawn } from "node:child_process";
import path from "node:path";
import { e2e } from "./env";

// Playwright runs from the repository root (package.json scripts).

const root = process.cwd();
const nextBin = path.join(root, "node_modules", ".bin", "next");
const tsxBin = path.join(root, "node_modules", ".bin", "tsx");

// A clean environment: nothing from the runner's own portal configuration leaks into the child.
function portalEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(PORTAL_|ENTRA_|AUTH_|DATABASE_URL|DATAVERSE_|TENANCY_|SUPPORT_|PORT$)/.test(k),
    ),
  );
  return { NODE_ENV: "production", ...inherited, NEXT_TELEMETRY_DISABLED: "1", ...vars };
}

/** Starts `next start` and resolves when it exited; for start-up failures. */
export function runPortalUntilExit(
  vars: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(nextBin, ["start", "-p", String(e2e.extraPort(19))], { cwd: root, env: portalEnv(vars) });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`next start did not exit within ${timeoutMs} ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

/** Starts `next start` on vars.PORT and resolves once /api/health answers (any status). */
export async function startPortal(vars: Record<string, string> & { PORT: string }) {
  const child = spawn(nextBin, ["start"], { cwd: root, env: portalEnv(vars), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const baseURL = `http://localhost:${vars.PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}: ${output}`);
    try {
      await fetch(`${baseURL}/api/health`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer on ${baseURL}: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    baseURL,
    output: () => output,
    exitCode: () => child.exitCode,
    /** At once, for an exit handler: the runner is going away. */
    kill: () => child.kill("SIGKILL"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // Next's own SIGTERM handler exits at once; a process still there after 10 s is killed (and said so in
        // the test output) so that one slow shutdown cannot time a test out in its clean-up.
        const force = setTimeout(() => {
          console.warn(
            `next start on port ${vars.PORT} did not exit within 10 s of SIGTERM; killed. Its last output:\n${output.slice(-2000)}`,
          );
          child.kill("SIGKILL");
        }, 10_000);
        child.on("exit", () => {
          clearTimeout(force);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** Starts `npm run worker` (scripts/worker.ts) and resolves once it logged that it works the queue. */
export async function startWorkerProcess(vars: Record<string, string>) {
  const child = spawn(tsxBin, ["--conditions=react-server", "scripts/worker.ts"], {
    cwd: root,
    env: portalEnv(vars),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes("Worker: ")) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`the worker did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    output: () => output,
    exitCode: () => child.exitCode,
    /** At once, for an exit handler: the runner is going away. */
    kill: () => child.kill("SIGKILL"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

// `npm test`: the whole suite, phase by phase, and the time of each phase in a table at the end (also when a phase
// fails: the run stops there). Started by scripts/with-test-postgres.ts (package.json), so vitest and Playwright
// share one PostgreSQL server.
//
//   lint + types + format   ESLint, `tsc --noEmit` and `prettier --check` (npm run check), side by side
//   vitest         unit, integration and emulator tests (npm run test:unit)
//   build          `next build`, once: every portal the e2e suite starts serves this build (npm run build)
//   e2e            Playwright (npm run test:e2e); its web server finds the build up to date and does not build again
//
// `npm test -- vitest e2e` runs only the phases named.
import { spawn } from "node:child_process";
import { bin, root } from "./lib.mjs";

type Phase = { name: string; command: string; args: string[] };
type Result = { name: string; seconds: number; ok: boolean };

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const PHASES: Phase[][] = [
  // Side by side, output held back and printed whole when each ends, so that the two never interleave.
  [
    { name: "lint", command: bin("eslint"), args: [".", "--max-warnings=0"] },
    { name: "types", command: bin("tsc"), args: ["--noEmit"] },
    { name: "format", command: bin("prettier"), args: ["--check", ".", "--log-level=warn"] },
  ],
  [{ name: "vitest", command: npm, args: ["run", "test:unit"] }],
  [{ name: "build", command: npm, args: ["run", "build"] }],
  [{ name: "e2e", command: npm, args: ["run", "test:e2e"] }],
];

function runPhase(phase: Phase, { quiet }: { quiet: boolean }): Promise<Result> {
  const started = performance.now();
  if (!quiet) console.log(`\n== ${phase.name}: ${[phase.command.replace(`${root}/`, ""), ...phase.args].join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(phase.command, phase.args, {
      cwd: root,
      stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    const output: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => output.push(d));
    child.stderr?.on("data", (d: Buffer) => output.push(d));
    const done = (ok: boolean, why?: string) => {
      const seconds = (performance.now() - started) / 1000;
      if (quiet) {
        console.log(`\n== ${phase.name}: ${ok ? "passed" : "FAILED"} in ${seconds.toFixed(0)} s`);
        process.stdout.write(Buffer.concat(output));
      }
      if (why) console.error(why);
      resolve({ name: phase.name, seconds, ok });
    };
    child.on("error", (error) => done(false, `${phase.name}: could not start ${phase.command}: ${error.message}`));
    child.on("exit", (code, signal) =>
      done(code === 0, code === 0 ? undefined : `${phase.name} exited with ${code ?? signal}`),
    );
  });
}

function printTable(results: Result[], skipped: string[], totalSeconds: number) {
  const minutes = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`;
  const rows = [
    ...results.map((r) => [r.name, minutes(r.seconds), r.ok ? "passed" : "FAILED"]),
    ...skipped.map((name) => [name, "-", "not run"]),
    ["total", minutes(totalSeconds), results.every((r) => r.ok) && skipped.length === 0 ? "passed" : "FAILED"],
  ];
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length), ["phase", "time", "result"][i]!.length);
  const line = (r: string[]) => `  ${r[0]!.padEnd(width(0))}  ${r[1]!.padStart(width(1))}  ${r[2]}`;
  console.log(
    `\nnpm test, time per phase (m:ss; lint, types and format ran side by side):\n${line(["phase", "time", "result"])}\n${rows.map(line).join("\n")}`,
  );
}

async function main() {
  const named = process.argv.slice(2);
  const unknown = named.filter((name) => !PHASES.flat().some((p) => p.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown phase ${unknown.join(", ")}; the phases: ${PHASES.flat()
        .map((p) => p.name)
        .join(", ")}`,
    );
    process.exit(2);
  }
  const phases =
    named.length === 0
      ? PHASES
      : PHASES.map((group) => group.filter((p) => named.includes(p.name))).filter((group) => group.length > 0);
  const started = performance.now();
  const results: Result[] = [];
  let failed = false;
  for (const group of phases) {
    if (failed) break;
    const quiet = group.length > 1;
    const ended = await Promise.all(group.map((phase) => runPhase(phase, { quiet })));
    results.push(...ended);
    failed = ended.some((r) => !r.ok);
  }
  const skipped = phases
    .flat()
    .map((p) => p.name)
    .filter((name) => !results.some((r) => r.name === name));
  printTable(results, skipped, (performance.now() - started) / 1000);
  process.exit(failed ? 1 : 0);
}

main();

// Runs a command with the emulator's local CA trusted by Node (NODE_EXTRA_CA_CERTS is read only when a
// process starts, so it must be set before the test runner is launched). Creates the CA on first use.
import { spawnSync } from "node:child_process";
import { bin, baseEnv, root } from "./lib.mjs";

const ca = spawnSync(bin("tsx"), ["emulator/ensure-ca.ts"], { cwd: root, encoding: "utf8", env: baseEnv() });
if (ca.status !== 0) {
  process.stderr.write(ca.stderr);
  console.error("Could not create the emulator's certificate authority.");
  process.exit(1);
}
const caCertPath = ca.stdout.trim().split("\n").pop();
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command.includes("/") ? command : bin(command), args, {
  cwd: root,
  stdio: "inherit",
  env: baseEnv({ NODE_EXTRA_CA_CERTS: caCertPath }),
});
process.exit(result.status ?? 1);

// `npm run dev|build|start`: next with telemetry off (no network here), the emulator's CA trusted when present.
import { bin, baseEnv, buildIfNeeded, run } from "./lib.mjs";

const [command, ...rest] = process.argv.slice(2);
if (command === "build") {
  run(bin("next"), ["build", ...rest]);
} else if (command === "start") {
  buildIfNeeded();
  // HOST, when set, is the address to listen on (`next start` alone listens on every interface).
  run(bin("next"), ["start", ...(process.env.HOST ? ["-H", process.env.HOST] : []), ...rest], baseEnv());
} else if (command === "dev") {
  run(bin("next"), ["dev", ...rest], baseEnv());
} else {
  console.error("usage: node scripts/run.mjs dev|build|start");
  process.exit(2);
}

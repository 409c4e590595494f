// `npm run bench`: performance figures, printed (never asserted). Each benchmark sets up what it needs
// (emulator, fresh embedded database) in this process and tears it down.
//
//   npm run bench              every benchmark
//   npm run bench -- check     only the connection-check benchmark
//   npm run bench -- marketplace  the Fulfillment API round trips a marketplace purchase adds to the sign-in journey
//   npm run bench -- console-scale  the console at 100,000 tenants and 1,000,000 checks (PostgreSQL)
//   npm run bench -- bundle    only the first-load JavaScript of /, /consent and /signin (serves the production build)
//   npm run bench -- observability   metrics and tracing off vs on: the warm check and /onboarding throughput
//   npm run bench -- pages     signed-in pages against the demo (autocannon), on PGlite and on PostgreSQL: requests/s,
//                              p99, CPU per request, ratio to the landing page
// The portal's structured log lines (one per outbound call) would bury the figures.
process.env.LOG_LEVEL ??= "warn";

const benchmarks: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  bundle: () => import("./bench/bundle"),
  check: () => import("./bench/check"),
  "console-list": () => import("./bench/console-list"),
  marketplace: () => import("./bench/marketplace"),
  "console-scale": () => import("./bench/console-scale"),
  recheck: () => import("./bench/recheck"),
  observability: () => import("./bench/observability"),
  pages: () => import("./bench/pages"),
};

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = only.length ? only : Object.keys(benchmarks);
  for (const name of names) {
    const load = benchmarks[name];
    if (!load) {
      console.error(`Unknown benchmark '${name}'. Known: ${Object.keys(benchmarks).join(", ")}`);
      process.exit(2);
    }
    console.log(`\n== ${name}`);
    await (await load()).run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

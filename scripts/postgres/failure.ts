// Turns what initdb or postgres printed before giving up into the one line a person needs.
export type FailureContext = { port: number; dataDir: string; account?: string; portVariable: string };

export function explainFailure(output: string, ctx: FailureContext): string {
  const lib = /error while loading shared libraries: ([^:\s]+)/.exec(output);
  if (lib) return `the embedded PostgreSQL binaries are incomplete (cannot load ${lib[1]}): reinstall with \`npm ci\``;
  if (/Address already in use|could not create any TCP\/IP sockets/.test(output)) {
    return `port ${ctx.port} on 127.0.0.1 is already in use by another program: set ${ctx.portVariable} to a free port`;
  }
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?PID (\d+)/.exec(output);
  if (lock)
    return `another PostgreSQL (pid ${lock[1]}) is using the data folder ${ctx.dataDir}: stop it, or remove the folder`;
  if (/incompatible with server|database files are incompatible/.test(output)) {
    return `the data folder ${ctx.dataDir} was made by another PostgreSQL version: remove it (its data is lost) or start that version`;
  }
  if (/exists but is not empty/.test(output)) {
    return `the data folder ${ctx.dataDir} exists but holds no PostgreSQL cluster (an interrupted first start?): remove it and retry`;
  }
  if (/[Pp]ermission denied/.test(output)) {
    const who = ctx.account ? `the account the server runs as (${ctx.account})` : "this user";
    return `${who} cannot use ${ctx.dataDir} or the binaries (permission denied): make the folder and its parents reachable, or run as a normal user`;
  }
  if (/cannot be run as root|"root" execution/.test(output))
    return "PostgreSQL refuses to run as root: run as a normal user";
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.find((l) => /FATAL|PANIC|initdb: error/.test(l)) ?? lines.at(-1) ?? "no output";
  return fatal.replace(/^\S+ \S+ \S+ \[\d+\] /, ""); // drop the timestamp prefix of a log line
}

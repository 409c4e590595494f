// Sequential round trips from the emulator's request log: the longest chain of requests each of which started only
// after the one before it had ended. Requests sent side by side (the consent proof beside the Dataverse $batch)
// count once; the inner parts of a $batch are not requests of their own.
type Logged = { time: string; durationMs: number; kind: string };

/** Interval slack (ms): the log's start times are to the millisecond. */
const SLACK_MS = 2;

export function sequentialRoundTrips(entries: Logged[]): number {
  const spans = entries
    .filter((e) => e.kind === "dataverse" || e.kind.startsWith("entra") || e.kind === "graph")
    .map((e) => ({ start: Date.parse(e.time), end: Date.parse(e.time) + e.durationMs }))
    .sort((a, b) => a.end - b.end);
  // chain[i]: the longest chain ending with span i (spans sorted by end).
  const chain: number[] = [];
  spans.forEach((span, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if (spans[j]!.end <= span.start + SLACK_MS) best = Math.max(best, chain[j]!);
    chain.push(best + 1);
  });
  return Math.max(0, ...chain);
}

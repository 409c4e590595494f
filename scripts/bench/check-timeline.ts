// The check benchmark's timeline (bench process only): every SQL statement the portal sends, through a timing
// wrapper around the Prisma driver adapter, and every outbound HTTP request, through undici's diagnostics channels,
// each with its start and end (performance.now()). A check's local time is then split into what it was spent on.
import diagnosticsChannel from "node:diagnostics_channel";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

export type TimelineEvent =
  | { kind: "sql"; label: string; tx: number | null; start: number; end: number }
  | { kind: "begin" | "commit" | "rollback"; tx: number; start: number; end: number }
  | { kind: "http"; url: string; start: number; end: number };

let events: TimelineEvent[] = [];
let nextTx = 1;

export function resetTimeline(): void {
  events = [];
  nextTx = 1;
}

export function timeline(): TimelineEvent[] {
  return events;
}

/** "INSERT ConnectionCheck", "SELECT Environment", "WITH …": the statement's verb and its first table. */
export function statementLabel(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "?";
  const table = /\b(?:FROM|INTO|UPDATE)\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(sql)?.[1] ?? "";
  return `${verb} ${table}`.trim();
}

async function timed<T>(record: (start: number, end: number) => void, call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await call();
  } finally {
    record(start, performance.now());
  }
}

function timedQueryable<Q extends Pick<SqlDriverAdapter, "queryRaw" | "executeRaw">>(
  inner: Q,
  tx: number | null,
): Pick<Q, "queryRaw" | "executeRaw"> {
  const sql = (label: string) => (start: number, end: number) => events.push({ kind: "sql", label, tx, start, end });
  return {
    queryRaw: (query: SqlQuery) => timed(sql(statementLabel(query.sql)), () => inner.queryRaw(query)),
    executeRaw: (query: SqlQuery) => timed(sql(statementLabel(query.sql)), () => inner.executeRaw(query)),
  };
}

function timedTransaction(inner: Transaction, tx: number): Transaction {
  return Object.assign(Object.create(inner) as Transaction, {
    ...timedQueryable(inner, tx),
    commit: () =>
      timed(
        (start, end) => events.push({ kind: "commit", tx, start, end }),
        () => inner.commit(),
      ),
    rollback: () =>
      timed(
        (start, end) => events.push({ kind: "rollback", tx, start, end }),
        () => inner.rollback(),
      ),
  });
}

/** The adapter factory with every statement, BEGIN (with its connection) and COMMIT timed. */
export function timedAdapterFactory(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return Object.assign(Object.create(factory) as SqlDriverAdapterFactory, {
    connect: async () => {
      const adapter = await factory.connect();
      return Object.assign(Object.create(adapter) as SqlDriverAdapter, {
        ...timedQueryable(adapter, null),
        startTransaction: async (isolationLevel?: Parameters<SqlDriverAdapter["startTransaction"]>[0]) => {
          const tx = nextTx++;
          const transaction = await timed(
            (start, end) => events.push({ kind: "begin", tx, start, end }),
            () => adapter.startTransaction(isolationLevel),
          );
          return timedTransaction(transaction, tx);
        },
      });
    },
  });
}

type UndiciRequest = { origin?: string; path?: string };

/** Outbound HTTP requests (the portal's undici fetch), from creation to the end of the response. */
export function watchHttp(): void {
  const open = new WeakMap<object, number>();
  diagnosticsChannel.subscribe("undici:request:create", (message) => {
    open.set((message as { request: object }).request, performance.now());
  });
  const close = (message: unknown) => {
    const request = (message as { request: UndiciRequest }).request;
    const start = open.get(request);
    if (start === undefined) return;
    events.push({ kind: "http", url: `${request.origin ?? ""}${request.path ?? ""}`, start, end: performance.now() });
  };
  diagnosticsChannel.subscribe("undici:request:trailers", close);
  diagnosticsChannel.subscribe("undici:request:error", close);
}

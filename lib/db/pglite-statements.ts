// Named prepared statements for the embedded database. No `server-only` here: lib/db/adapter.ts is used by the seed
// script too.
//
// Why by hand: PGlite's `query()` sends every statement as an unnamed one (Parse, Describe, Bind, Describe, Execute,
// Sync: six calls into its WebAssembly PostgreSQL), so PostgreSQL parses, analyses and plans the same SQL text again
// on every call, in the portal's own process. Prisma sends the same few texts over and over (one per query shape).
// Measured with the demo's data (issue 25): the alert recipients' statement took 1.9 ms through `query()` and 0.38 ms
// as a prepared statement; planning alone 0.4 ms. Neither PGlite nor pglite-prisma-adapter keeps statements, and a
// PostgreSQL server's clients do exactly this (node-postgres's named queries, PgBouncer's prepared statements).
//
// What this does: the first time a text is seen it is parsed once under a name (and its parameter types read, to
// serialise the values as PGlite's own `query()` does); every later call binds and executes that statement in ONE
// call: Bind, Describe, Execute and Sync sent together. Results are read by PGlite's own parser, so the rows are
// exactly what `query()` returns. At most MAX_STATEMENTS names are kept; the least recently used is closed.
//
// Statements of an open transaction go through PGlite's own transaction object, untouched: only `query()` on the
// instance itself is replaced, and it waits for a transaction in progress exactly as PGlite's does.
import { parse, protocol, type PGlite, type QueryOptions, type Results } from "@electric-sql/pglite";

const MAX_STATEMENTS = 256;

type Prepared = { name: string; paramTypes: number[] };

/** PostgreSQL's "cached plan must not change result type" (a table changed under a prepared statement). */
const FEATURE_NOT_SUPPORTED = "0A000";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function withPreparedStatements(pg: PGlite): PGlite {
  const statements = new Map<string, Prepared>();
  let counter = 0;
  const { serialize } = protocol;

  async function close(name: string): Promise<void> {
    await pg.execProtocol(concat([serialize.close({ type: "S", name }), serialize.sync()]), { syncToFs: false });
  }

  async function prepare(sql: string, options?: QueryOptions): Promise<Prepared> {
    const known = statements.get(sql);
    if (known) {
      // Most recently used last: the first in the map is the one to close.
      statements.delete(sql);
      statements.set(sql, known);
      return known;
    }
    const name = `portal_${++counter}`;
    const { messages } = await pg.execProtocol(
      concat([
        serialize.parse({ name, text: sql, types: options?.paramTypes }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const description = messages.find((m) => m.name === "parameterDescription") as
      { dataTypeIDs: number[] } | undefined;
    const prepared = { name, paramTypes: description?.dataTypeIDs ?? [] };
    statements.set(sql, prepared);
    if (statements.size > MAX_STATEMENTS) {
      const [oldestSql, oldest] = statements.entries().next().value as [string, Prepared];
      statements.delete(oldestSql);
      await close(oldest.name);
    }
    return prepared;
  }

  function serialised(values: unknown[], paramTypes: number[], options?: QueryOptions): (string | Uint8Array | null)[] {
    // As PGlite's own query(): null stays null, a type's serializer where it has one, else the text of the value.
    return values.map((value, i) => {
      if (value === null || value === undefined) return null;
      const type = paramTypes[i]!;
      const serializer = options?.serializers?.[type] ?? pg.serializers[type];
      if (serializer) return serializer(value) as string;
      return value instanceof Uint8Array ? value : String(value);
    });
  }

  async function execute<T>(sql: string, values: unknown[], options?: QueryOptions): Promise<Results<T>> {
    const statement = await prepare(sql, options);
    const { messages } = await pg.execProtocol(
      concat([
        serialize.bind({ statement: statement.name, values: serialised(values, statement.paramTypes, options) }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    await pg.syncToFs();
    return parse.parseResults(messages, pg.parsers, options)[0] as Results<T>;
  }

  async function query<T>(sql: string, values: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    await pg._checkReady();
    return pg._runExclusiveTransaction(() =>
      pg._runExclusiveQuery(async () => {
        try {
          return await execute<T>(sql, values, options);
        } catch (error) {
          // A statement whose table changed since it was prepared is prepared again, once.
          const stale = statements.get(sql);
          if ((error as { code?: string }).code !== FEATURE_NOT_SUPPORTED || !stale) throw error;
          statements.delete(sql);
          await close(stale.name);
          return execute<T>(sql, values, options);
        }
      }),
    );
  }

  return new Proxy(pg, {
    get(target, property) {
      if (property === "query") return query;
      const value: unknown = Reflect.get(target, property, target);
      // PGlite's methods use its private fields: called on the instance itself, not on this proxy.
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

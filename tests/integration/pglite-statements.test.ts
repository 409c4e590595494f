// The embedded database's prepared statements (lib/db/pglite-statements.ts): the same rows as PGlite's own query(),
// each text parsed once, errors as PGlite reports them, a statement prepared again when its table changed, and no
// more than a bounded number of statements kept.
import { PGlite, messages } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withPreparedStatements } from "@/lib/db/pglite-statements";

let pg: PGlite;
let prepared: PGlite;

const preparedCount = async () =>
  (await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows[0]!.n;

beforeAll(async () => {
  pg = new PGlite();
  prepared = withPreparedStatements(pg);
  await pg.exec(`
    CREATE TABLE item (id uuid PRIMARY KEY, name text NOT NULL UNIQUE, size int, done boolean,
                       at timestamptz, doc jsonb, blob bytea);
    INSERT INTO item VALUES
      ('01a24463-46de-722c-9ec2-956faaf82bd7', 'one', 1, true, '2026-12-05T03:00:00Z', '{"a": [1, 2]}', '\\x0102'),
      ('01a24463-46de-722c-9ec2-956faaf82bd8', 'two', NULL, false, NULL, NULL, NULL);`);
});

afterAll(async () => {
  await pg.close();
});

describe("prepared statements on PGlite", () => {
  const select =
    "SELECT id, name, size, done, at, doc, blob FROM item WHERE id = ANY($1::uuid[]) AND at IS DISTINCT FROM $2 ORDER BY name";

  it("answer exactly as PGlite's own query(), in array and object rows, with typed parameters", async () => {
    const values = [["01a24463-46de-722c-9ec2-956faaf82bd7", "01a24463-46de-722c-9ec2-956faaf82bd8"], new Date(0)];
    for (const rowMode of ["array", "object"] as const) {
      const mine = await prepared.query(select, values, { rowMode });
      const theirs = await pg.query(select, values, { rowMode });
      expect(mine.rows).toEqual(theirs.rows);
      expect(mine.fields).toEqual(theirs.fields);
      expect(mine.rows).toHaveLength(2);
    }
    const changed = await prepared.query("UPDATE item SET size = $1 WHERE name = $2", [3, "two"]);
    expect(changed.affectedRows).toBe(1);
  });

  it("parse a text once and execute it by name after", async () => {
    const before = await preparedCount();
    for (let i = 0; i < 5; i++) await prepared.query("SELECT name FROM item WHERE size = $1", [i]);
    expect(await preparedCount()).toBe(before + 1);
  });

  it("report errors as PGlite does and stay usable after them", async () => {
    const before = await preparedCount();
    await expect(prepared.query("SELEC nothing")).rejects.toBeInstanceOf(messages.DatabaseError);
    expect(await preparedCount()).toBe(before);
    const insert = "INSERT INTO item (id, name) VALUES (gen_random_uuid(), $1)";
    await expect(prepared.query(insert, ["one"])).rejects.toMatchObject({ code: "23505" });
    await prepared.query(insert, ["three"]);
    expect((await prepared.query<{ n: number }>("SELECT count(*)::int AS n FROM item")).rows).toEqual([{ n: 3 }]);
  });

  it("prepare a statement again when its table changed under it", async () => {
    const all = "SELECT * FROM item WHERE name = $1";
    expect(Object.keys((await prepared.query<object>(all, ["one"])).rows[0]!)).not.toContain("colour");
    await pg.exec("ALTER TABLE item ADD COLUMN colour text");
    expect((await prepared.query<object>(all, ["one"])).rows[0]).toMatchObject({ name: "one", colour: null });
  });

  it("keep a bounded number of statements, closing the least recently used", async () => {
    for (let i = 0; i < 300; i++) await prepared.query(`SELECT ${i} AS n`);
    expect(await preparedCount()).toBeLessThanOrEqual(256);
    expect((await prepared.query<{ n: number }>("SELECT 299 AS n")).rows).toEqual([{ n: 299 }]);
  });

  it("wait for a transaction in progress, as PGlite's query() does", async () => {
    const order: string[] = [];
    const transaction = pg.transaction(async (tx) => {
      await tx.query("UPDATE item SET size = 10 WHERE name = 'one'");
      await new Promise((r) => setTimeout(r, 50));
      order.push("transaction");
    });
    const read = prepared.query<{ size: number }>("SELECT size FROM item WHERE name = $1", ["one"]).then((r) => {
      order.push("read");
      return r.rows[0]!.size;
    });
    const [, size] = await Promise.all([transaction, read]);
    expect(size).toBe(10);
    expect(order).toEqual(["transaction", "read"]);
  });
});

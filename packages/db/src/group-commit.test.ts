import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGroupCommitter, groupCommitterFor } from "./group-commit";

describe("group commit", () => {
  let directory: string;
  let writer: Database.Database;
  let reader: Database.Database;

  // What another connection (another process, in production) sees: only committed rows.
  const committedNames = () => (reader.prepare("SELECT name FROM items ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  const insert = (name: string) => writer.prepare("INSERT INTO items (name) VALUES (?)").run(name);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "group-commit-"));
    writer = new Database(join(directory, "test.db"));
    writer.pragma("journal_mode = WAL");
    writer.pragma("foreign_keys = ON");
    writer.exec(`
      CREATE TABLE items (name TEXT PRIMARY KEY);
      CREATE TABLE children (parent TEXT REFERENCES items (name) DEFERRABLE INITIALLY DEFERRED);
    `);
    reader = new Database(join(directory, "test.db"), { readonly: true });
  });

  afterEach(() => {
    reader.close();
    writer.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("runs work enqueued in one turn in one transaction", async () => {
    const committer = createGroupCommitter(writer);
    const first = committer.enqueue(() => insert("a"));
    // Had the first item committed on its own, the other connection would see its row here.
    const second = committer.enqueue(() => ({ inTransaction: writer.inTransaction, seenByOthers: committedNames() }));
    await first;
    expect(await second).toEqual({ inTransaction: true, seenByOthers: [] });
  });

  it("resolves only once the rows are committed", async () => {
    const committer = createGroupCommitter(writer);
    const seenOnResolve = await Promise.all(
      ["a", "b", "c"].map((name) => committer.enqueue(() => insert(name)).then(() => ({ inTransaction: writer.inTransaction, committed: committedNames() }))),
    );
    for (const seen of seenOnResolve) expect(seen).toEqual({ inTransaction: false, committed: ["a", "b", "c"] });
  });

  it("rolls back and rejects only the item that throws", async () => {
    const committer = createGroupCommitter(writer);
    const results = await Promise.allSettled([
      committer.enqueue(() => insert("a").changes),
      committer.enqueue(() => {
        insert("b");
        throw new Error("refused");
      }),
      committer.enqueue(() => insert("c").changes),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error("refused"));
    expect(committedNames()).toEqual(["a", "c"]);
  });

  it("rejects the whole batch when the commit fails", async () => {
    const committer = createGroupCommitter(writer);
    const results = await Promise.allSettled([
      committer.enqueue(() => insert("a")),
      // A deferred foreign key is checked at COMMIT, so this item's own savepoint succeeds.
      committer.enqueue(() => writer.prepare("INSERT INTO children (parent) VALUES ('missing')").run()),
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committedNames()).toEqual([]);
    expect(writer.inTransaction).toBe(false);
  });

  it("bounds the batch: the overflow commits in a transaction of its own", async () => {
    const committer = createGroupCommitter(writer, { maxBatchSize: 2 });
    const results = await Promise.all([
      committer.enqueue(() => committedNames()),
      committer.enqueue(() => {
        insert("a");
        return committedNames();
      }),
      committer.enqueue(() => committedNames()),
    ]);
    expect(results).toEqual([[], [], ["a"]]);
  });

  it("keeps one committer per connection", () => {
    expect(groupCommitterFor(writer)).toBe(groupCommitterFor(writer));
    expect(groupCommitterFor(writer)).not.toBe(groupCommitterFor(reader));
  });
});

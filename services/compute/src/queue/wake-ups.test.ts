import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WakeUps } from "./wake-ups";

describe("WakeUps", () => {
  let directory: string;
  let here: Database.Database;
  let there: Database.Database;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "foundry-wake-ups-"));
    here = new Database(join(directory, "shared.db"));
    here.pragma("journal_mode = WAL");
    here.exec("CREATE TABLE t (x INTEGER)");
    there = new Database(join(directory, "shared.db"));
  });
  afterEach(() => {
    here.close();
    there.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("wakes a waiter on its key at once, and no other key", async () => {
    const wakeUps = new WakeUps(here);
    const other = wakeUps.wait("runtime:b", { version: wakeUps.dataVersion(), timeoutMs: 200 });
    const waiting = wakeUps.wait("runtime:a", { version: wakeUps.dataVersion(), timeoutMs: 5000 });
    const started = performance.now();
    wakeUps.notify("runtime:a");
    expect(await waiting).toBe("notified");
    expect(performance.now() - started).toBeLessThan(20);
    expect(await other).toBe("timeout");
  });

  it("wakes on another connection's commit, but not on its own", async () => {
    const wakeUps = new WakeUps(here, 10);
    const version = wakeUps.dataVersion();
    here.prepare("INSERT INTO t VALUES (1)").run();
    expect(await wakeUps.wait("k", { version: wakeUps.dataVersion(), timeoutMs: 100 })).toBe("timeout");
    const waiting = wakeUps.wait("k", { version, timeoutMs: 5000 });
    there.prepare("INSERT INTO t VALUES (2)").run();
    expect(await waiting).toBe("database-changed");
  });

  it("never misses a commit made between reading the version and starting to wait", async () => {
    const wakeUps = new WakeUps(here, 10);
    const version = wakeUps.dataVersion(); // read before looking at the state
    there.prepare("INSERT INTO t VALUES (3)").run(); // another process commits meanwhile
    expect(await wakeUps.wait("k", { version, timeoutMs: 2000 })).toBe("database-changed");
  });

  it("runs its timer only while someone waits, and releases a waiter whose caller aborted", async () => {
    const wakeUps = new WakeUps(here, 10);
    expect(wakeUps.watching).toBe(false);
    const controller = new AbortController();
    const waiting = wakeUps.wait("k", { version: wakeUps.dataVersion(), timeoutMs: 60_000, signal: controller.signal });
    expect(wakeUps.watching).toBe(true);
    expect(wakeUps.waiting).toBe(1);
    controller.abort();
    expect(await waiting).toBe("aborted");
    expect(wakeUps.waiting).toBe(0);
    expect(wakeUps.watching).toBe(false);
    expect(await wakeUps.wait("k", { version: 0, timeoutMs: 10, signal: controller.signal })).toBe("aborted");
  });
});

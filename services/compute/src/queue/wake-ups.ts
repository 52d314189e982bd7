import { EventEmitter } from "node:events";
import type Database from "better-sqlite3";
import { dataVersionReader } from "@foundry-emulator/db";

export type WakeReason = "notified" | "database-changed" | "timeout" | "aborted";

export interface WaitOptions {
  /** `dataVersion()` read BEFORE the caller last looked at the state it waits on. */
  version: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Waiter {
  version: number;
  wake: (reason: WakeReason) => void;
}

/**
 * Wake-ups for long-polls and sync waiters.
 *
 * - In this process: an event per key (`runtime:<id>` when a job is queued for a runtime,
 *   `job:<id>` when a job finishes), emitted right after the commit, so a waiter wakes at once.
 * - From other processes sharing the file: `PRAGMA data_version` changes when another connection
 *   commits. It is checked on a short timer ONLY while someone waits; the timer stops with the last
 *   waiter, so an idle emulator does no work. Each waiter remembers the version it saw before
 *   checking its state, so a commit between that check and the wait is never missed.
 *
 * A wake-up only says "look again": waiters re-read the database, which is the source of truth.
 */
export class WakeUps {
  private readonly events = new EventEmitter();
  private readonly waiters = new Set<Waiter>();
  private watcher: NodeJS.Timeout | undefined;
  /** Each poll and wait reads it: the prepared statement packages/db keeps per connection. */
  private readonly readDataVersion: () => number;

  constructor(
    private readonly client: Database.Database,
    private readonly watchIntervalMs = 25,
  ) {
    this.events.setMaxListeners(0);
    this.readDataVersion = dataVersionReader(client);
  }

  /** The connection's data version: it changes when ANOTHER connection commits. */
  dataVersion(): number {
    return this.readDataVersion();
  }

  notify(key: string): void {
    this.events.emit(key);
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Whether the cross-process timer runs (only while someone waits). */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Resolves when `key` is notified, another process commits, the time is up, or the signal aborts. */
  wait(key: string, options: WaitOptions): Promise<WakeReason> {
    if (options.signal?.aborted) return Promise.resolve("aborted");
    if (options.timeoutMs <= 0) return Promise.resolve("timeout");
    return new Promise<WakeReason>((resolve) => {
      const onNotify = () => finish("notified");
      const onAbort = () => finish("aborted");
      const timer = setTimeout(() => finish("timeout"), options.timeoutMs);
      const waiter: Waiter = { version: options.version, wake: (reason) => finish(reason) };
      let done = false;
      const finish = (reason: WakeReason) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.events.off(key, onNotify);
        options.signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
        if (this.waiters.size === 0) this.stopWatching();
        resolve(reason);
      };
      this.events.once(key, onNotify);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
      this.startWatching();
    });
  }

  private startWatching() {
    if (this.watcher) return;
    this.watcher = setInterval(() => this.checkForeignCommits(), this.watchIntervalMs);
    this.watcher.unref();
  }

  private stopWatching() {
    if (!this.watcher) return;
    clearInterval(this.watcher);
    this.watcher = undefined;
  }

  private checkForeignCommits() {
    if (!this.client.open) {
      // The database was closed under us (shutdown): release everyone.
      for (const waiter of [...this.waiters]) waiter.wake("timeout");
      this.stopWatching();
      return;
    }
    const version = this.dataVersion();
    for (const waiter of [...this.waiters]) {
      if (waiter.version !== version) waiter.wake("database-changed");
    }
  }
}

export const runtimeKey = (runtimeId: string) => `runtime:${runtimeId}`;
export const jobKey = (jobId: string) => `job:${jobId}`;

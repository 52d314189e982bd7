import type Database from "better-sqlite3";
import type { ComputeSettings } from "../settings";
import type { JobQueue } from "./job-queue";

/**
 * Keeps the queue honest without anyone asking:
 * - a timer set to the earliest lease expiry this process knows of (re-armed after each dispatch
 *   and each sweep), so a job whose result never comes goes back to the queue on time;
 * - a slow periodic sweep (leases of jobs other processes dispatched, and retention), at most
 *   once a minute.
 * Timers are unref'd (they never keep the process alive) and stop once the database is closed.
 */
export class Sweeper {
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseTimerAt = Number.POSITIVE_INFINITY;
  private readonly periodic: NodeJS.Timeout;

  constructor(
    private readonly queue: JobQueue,
    private readonly client: Database.Database,
    private readonly now: () => number,
    settings: ComputeSettings,
  ) {
    const periodMs = Math.min(60_000, Math.max(100, Math.floor(Math.min(settings.leaseMs, settings.retentionMs) / 2)));
    this.periodic = setInterval(() => this.sweep(), periodMs);
    this.periodic.unref();
    queueMicrotask(() => this.sweep());
  }

  /** Makes sure the lease timer fires no later than `expiresAt` (platform clock, ms). */
  leaseStarted(expiresAt: number): void {
    if (expiresAt >= this.leaseTimerAt) return;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimerAt = expiresAt;
    this.leaseTimer = setTimeout(
      () => {
        this.leaseTimer = undefined;
        this.leaseTimerAt = Number.POSITIVE_INFINITY;
        this.sweepLeases();
      },
      Math.max(0, expiresAt - this.now()) + 1,
    );
    this.leaseTimer.unref();
  }

  sweep(): void {
    if (!this.alive()) return;
    this.sweepLeases();
    this.guard(() => this.queue.removeExpired());
  }

  private sweepLeases(): void {
    if (!this.alive()) return;
    this.guard(() => {
      this.queue.expireLeases();
      const next = this.queue.nextLeaseExpiry();
      if (next !== undefined) this.leaseStarted(next);
    });
  }

  private alive(): boolean {
    if (this.client.open) return true;
    clearInterval(this.periodic);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    return false;
  }

  private guard(work: () => unknown): void {
    try {
      work();
    } catch (error) {
      // A busy database (another process holding the lock past the timeout) is retried next time.
      if (this.client.open) console.error(JSON.stringify({ level: "error", service: "compute", msg: "queue sweep failed", error: String(error) }));
    }
  }
}

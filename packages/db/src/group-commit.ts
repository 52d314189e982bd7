import type Database from "better-sqlite3";
import { immediateTransaction } from "./immediate-transaction";

export interface GroupCommitter {
  /**
   * Runs `work` (synchronous, inside a SAVEPOINT of a shared IMMEDIATE transaction) and resolves
   * with its result once that transaction has committed. A throwing `work` rolls back only its own
   * savepoint and rejects only its own promise; a failing BEGIN or COMMIT rejects the whole batch.
   */
  enqueue<Result>(work: () => Result): Promise<Result>;
}

export interface GroupCommitOptions {
  /** Most work items per transaction; the rest go into the next one (default 256). */
  maxBatchSize?: number;
}

interface QueuedWork {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const committers = new WeakMap<Database.Database, GroupCommitter>();

/**
 * The group committer of a connection (one per connection, created on first use): writes that
 * arrive in the same event-loop turn share one `BEGIN IMMEDIATE … COMMIT`, so they pay for one
 * write lock and one commit (whose WAL frames hold each touched page once) instead of one each.
 */
export function groupCommitterFor(client: Database.Database, options: GroupCommitOptions = {}): GroupCommitter {
  let committer = committers.get(client);
  if (!committer) {
    committer = createGroupCommitter(client, options);
    committers.set(client, committer);
  }
  return committer;
}

/** A group committer on `client` (prefer groupCommitterFor: two on one connection would not batch together). */
export function createGroupCommitter(client: Database.Database, options: GroupCommitOptions = {}): GroupCommitter {
  const maxBatchSize = options.maxBatchSize ?? 256;
  let queue: QueuedWork[] = [];
  let scheduled = false;

  // The nested immediateTransaction runs as SAVEPOINT … RELEASE (or ROLLBACK TO) inside the batch's.
  const runBatch = (batch: QueuedWork[]): Outcome[] =>
    immediateTransaction(client, () =>
      batch.map(({ work }): Outcome => {
        try {
          return { ok: true, value: immediateTransaction(client, work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );

  function flush() {
    scheduled = false;
    const batch = queue.length > maxBatchSize ? queue.splice(0, maxBatchSize) : queue;
    if (batch === queue) queue = [];
    else schedule();
    let outcomes: Outcome[];
    try {
      // Inside someone else's open transaction this would be a savepoint, and "committed" a lie.
      if (client.inTransaction) throw new Error("group commit: the connection is inside a transaction");
      outcomes = runBatch(batch);
    } catch (error) {
      // BEGIN or COMMIT failed (better-sqlite3 has rolled back): nothing of this batch is durable.
      for (const item of batch) item.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const item = batch[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // After the poll phase: every request whose bytes arrived in this turn has enqueued by then.
    setImmediate(flush);
  }

  return {
    enqueue<Result>(work: () => Result): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}

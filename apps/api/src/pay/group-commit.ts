import { PostgresAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema';
import { startBatchedWrites } from './batched-writes';

export interface GroupCommitter {
  /**
   * Run `job` inside a transaction shared with the other jobs queued meanwhile; resolves with its result only
   * after that transaction has COMMITTED. `key` orders the jobs of one batch (out_trade_no: every instance locks
   * rows in the same order, so two batches on PostgreSQL cannot deadlock each other).
   */
  run<T>(key: string, job: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

export interface GroupCommitOptions {
  /** Most jobs in one transaction. */
  maxBatch?: number;
  /** Batches being written at once (each on its own connection). Default: 1 on SQLite, 3 on PostgreSQL. */
  inFlight?: number;
}

interface Pending {
  key: string;
  job: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit for the notify path. A notify must not be answered SUCCESS before its record and its order
 * transition are durable, so each one needs a committed transaction — and on SQLite (one writer, one connection)
 * committing them one by one makes the commit the bottleneck. Notifies that arrive while a batch is being written
 * wait for the next batch, which commits them all at once: the same guarantees (each job's writes commit or
 * roll back together, the answer follows the commit), a fraction of the commits.
 *
 * On PostgreSQL a statement is a network round trip, not an in-process call, so two more levers apply: several
 * batches are written at once (PostgreSQL has row locks and a pool of connections; SQLite has one writer), and the
 * jobs of a batch run side by side so that their notify writes go out as one multi-row statement each
 * (batched-writes.ts) instead of two round trips per notify, one after the other.
 *
 * If a batch fails, its jobs are retried one transaction each, so one bad notify cannot fail its neighbours.
 */
export function createGroupCommitter(db: Kysely<Database>, options: GroupCommitOptions = {}): GroupCommitter {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const maxBatch = options.maxBatch ?? 64;
  const inFlight = options.inFlight ?? (postgres ? 3 : 1);
  let queue: Pending[] = [];
  let running = 0;
  let scheduled = false;

  async function runAlone(pending: Pending): Promise<void> {
    try {
      pending.resolve(await db.transaction().execute((trx) => pending.job(trx)));
    } catch (err) {
      pending.reject(err);
    }
  }

  /** Every job of the batch in one transaction; throws (→ rollback) if any of them failed. */
  async function runTogether(trx: Transaction<Database>, batch: Pending[]): Promise<unknown[]> {
    if (!postgres) {
      const out: unknown[] = [];
      for (const pending of batch) out.push(await pending.job(trx));
      return out;
    }
    startBatchedWrites(trx);
    // Started in key order: each job's first statement (the batched UPDATE, after its sorted lock) comes first.
    // Every job is let finish before the transaction ends, so none can run a statement after a ROLLBACK.
    const settled = await Promise.allSettled(batch.map((pending) => pending.job(trx)));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
  }

  async function flush(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0] as Pending);
    let results: unknown[];
    try {
      results = await db.transaction().execute((trx) => runTogether(trx, batch));
    } catch {
      // Rolled back as a whole: give every job its own transaction and its own outcome.
      for (const pending of batch) await runAlone(pending);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(results[i]));
  }

  function schedule(): void {
    if (scheduled || running >= inFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (running >= inFlight || queue.length === 0) return;
      const batch = queue.slice(0, maxBatch).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      queue = queue.slice(maxBatch);
      running += 1;
      void flush(batch).finally(() => {
        running -= 1;
        schedule();
      });
      schedule();
    });
  }

  return {
    run<T>(key: string, job: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ key, job, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}

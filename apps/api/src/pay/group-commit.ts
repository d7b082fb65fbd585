import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema';

export interface GroupCommitter {
  /**
   * Run `job` inside a transaction shared with the other jobs queued meanwhile; resolves with its result only
   * after that transaction has COMMITTED. `key` orders the jobs of one batch (out_trade_no: every instance locks
   * rows in the same order, so two batches on PostgreSQL cannot deadlock each other).
   */
  run<T>(key: string, job: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
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
 * If a batch fails, its jobs are retried one transaction each, so one bad notify cannot fail its neighbours.
 */
export function createGroupCommitter(db: Kysely<Database>, maxBatch = 64): GroupCommitter {
  let queue: Pending[] = [];
  let flushing = false;

  async function runAlone(pending: Pending): Promise<void> {
    try {
      pending.resolve(await db.transaction().execute((trx) => pending.job(trx)));
    } catch (err) {
      pending.reject(err);
    }
  }

  async function flush(): Promise<void> {
    const batch = queue.slice(0, maxBatch).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    queue = queue.slice(maxBatch);
    try {
      if (batch.length === 1) {
        await runAlone(batch[0] as Pending);
      } else {
        let results: unknown[];
        try {
          results = await db.transaction().execute(async (trx) => {
            const out: unknown[] = [];
            for (const pending of batch) out.push(await pending.job(trx));
            return out;
          });
        } catch {
          // Rolled back as a whole: give every job its own transaction and its own outcome.
          for (const pending of batch) await runAlone(pending);
          return;
        }
        batch.forEach((pending, i) => pending.resolve(results[i]));
      }
    } finally {
      flushing = false;
      schedule();
    }
  }

  function schedule(): void {
    if (flushing || queue.length === 0) return;
    flushing = true;
    setImmediate(() => {
      void flush();
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

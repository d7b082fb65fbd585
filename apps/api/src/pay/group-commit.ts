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
}

interface Queued<I, O> {
  key: string;
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/** One batch's outcome per item, in the batch's order: a value, or the reason that item failed. */
export type BatchOutcome<O> = { ok: true; value: O } | { ok: false; reason: unknown };

/**
 * The queue under every group commit: items that arrive while `inFlight` batches are being written wait and go in
 * the next batch (at most `maxBatch`, sorted by key), which `flush` writes at once and answers item by item.
 */
export function createBatchQueue<I, O>(
  flush: (items: I[]) => Promise<BatchOutcome<O>[]>,
  options: { maxBatch: number; inFlight: number },
): (key: string, item: I) => Promise<O> {
  let queue: Queued<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  async function write(batch: Queued<I, O>[]): Promise<void> {
    let outcomes: BatchOutcome<O>[];
    try {
      outcomes = await flush(batch.map((queued) => queued.item));
    } catch (err) {
      outcomes = batch.map(() => ({ ok: false, reason: err }));
    }
    batch.forEach((queued, i) => {
      const outcome = outcomes[i] ?? { ok: false, reason: new Error('no outcome for a batched item') };
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.reason);
    });
  }

  function schedule(): void {
    if (scheduled || running >= options.inFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (running >= options.inFlight || queue.length === 0) return;
      const batch = queue
        .slice(0, options.maxBatch)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      queue = queue.slice(options.maxBatch);
      running += 1;
      void write(batch).finally(() => {
        running -= 1;
        schedule();
      });
      schedule();
    });
  }

  return (key, item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ key, item, resolve, reject });
      schedule();
    });
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
 * (batched-writes.ts) instead of two round trips per notify, one after the other. (The common notify — a first
 * delivery for a PENDING order — does not even get here on PostgreSQL: see createFastPay in apply-payment.ts.)
 *
 * If a batch fails, its jobs are retried one transaction each, so one bad notify cannot fail its neighbours.
 */
export function createGroupCommitter(db: Kysely<Database>, options: GroupCommitOptions = {}): GroupCommitter {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  async function runAlone(pending: Pending): Promise<BatchOutcome<unknown>> {
    try {
      return { ok: true, value: await db.transaction().execute((trx) => pending.job(trx)) };
    } catch (err) {
      return { ok: false, reason: err };
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

  async function flush(batch: Pending[]): Promise<BatchOutcome<unknown>[]> {
    if (batch.length === 1) return [await runAlone(batch[0] as Pending)];
    try {
      const results = await db.transaction().execute((trx) => runTogether(trx, batch));
      return results.map((value) => ({ ok: true, value }));
    } catch {
      // Rolled back as a whole: give every job its own transaction and its own outcome.
      const outcomes: BatchOutcome<unknown>[] = [];
      for (const pending of batch) outcomes.push(await runAlone(pending));
      return outcomes;
    }
  }

  const enqueue = createBatchQueue(flush, {
    maxBatch: options.maxBatch ?? 64,
    inFlight: options.inFlight ?? (postgres ? 3 : 1),
  });
  return {
    run<T>(key: string, job: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      return enqueue(key, { key, job }) as Promise<T>;
    },
  };
}

import { isUuid } from '../domain/ids.js';
import { AppError } from '../errors.js';
import type { BatchListItem, BatchProgress, BatchRecord, BatchSummary } from '../store/batches.js';
import type { Repositories, Store } from '../store/index.js';
import type { EventPublisher } from './events.js';

export type { BatchListItem } from '../store/batches.js';

export interface BatchView extends BatchRecord {
  status: 'open' | 'running' | 'completed';
  progress: BatchProgress;
  summary: BatchSummary;
}

export class BatchService {
  constructor(
    private readonly store: Store,
    private readonly publisher: EventPublisher,
  ) {}

  create(input: { name: string | null; category: string | null }, actor: string | null): Promise<BatchRecord> {
    return this.store.batches.insert({ ...input, createdBy: actor });
  }

  /** The newest batches with their counts, those with undecided flagged checks first (the review desk's inbox). */
  recent(limit = 20): Promise<BatchListItem[]> {
    return this.store.batches.recent(limit);
  }

  async get(id: string): Promise<BatchView> {
    const batch = isUuid(id) ? await this.store.batches.get(id) : null;
    if (!batch) throw new AppError('NOT_FOUND', `no batch ${id}`);
    const [progress, summary] = await Promise.all([this.store.batches.progress(id), this.store.batches.summary(id)]);
    const status = batch.completedAt ? 'completed' : batch.closedAt ? 'running' : 'open';
    return { ...batch, status, progress, summary };
  }

  /** No more images will come: the batch completes when its last check ends (now, if they all have). */
  async close(id: string): Promise<BatchView> {
    await this.get(id);
    const deliveries = await this.store.transaction(async (tx) => {
      await tx.batches.lock(id);
      await tx.batches.close(id);
      return completeBatchIfEnded(tx, this.publisher, id);
    });
    await this.publisher.relay(deliveries);
    return this.get(id);
  }
}

/**
 * Marks the batch complete once none of its checks is still open, and records batch.completed, in
 * the caller's transaction; only the transaction that completes the batch records it. The batch
 * row is locked first, so two checks ending at once cannot each see the other still open: call
 * this before changing a check of the batch in the same transaction (lockBatch), then after.
 */
export async function completeBatchIfEnded(tx: Repositories, publisher: EventPublisher, batchId: string): Promise<string[]> {
  if (!(await tx.batches.completeIfEnded(batchId))) return [];
  const summary = await tx.batches.summary(batchId);
  return publisher.record(tx, { type: 'batch.completed', data: { batchId, ...summary } });
}

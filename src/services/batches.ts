import { AppError } from '../errors.js';
import type { BatchProgress, BatchRecord, BatchSummary } from '../store/batches.js';
import type { Store } from '../store/index.js';
import type { EventPublisher } from './events.js';
import { isUuid } from './registry.js';

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
    await this.store.batches.close(id);
    await completeBatchIfEnded(this.store, this.publisher, id);
    return this.get(id);
  }
}

/** Publishes batch.completed once: only the call that marks the batch complete does. */
export async function completeBatchIfEnded(store: Store, publisher: EventPublisher, batchId: string): Promise<void> {
  if (!(await store.batches.completeIfEnded(batchId))) return;
  const summary = await store.batches.summary(batchId);
  await publisher.publish({ type: 'batch.completed', data: { batchId, ...summary } });
}

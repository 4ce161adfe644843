/**
 * What a job's runner tells the queue besides success: do not retry, or wait without spending an
 * attempt. The services throw these; the queue workers turn them into BullMQ's own signals.
 */
import type { AppError } from '../errors.js';

/** A failure that retrying cannot mend; the queue adapter turns it into BullMQ's UnrecoverableError. */
export class PermanentFailure extends Error {
  constructor(override readonly cause: AppError) {
    super(cause.message);
  }
}

/**
 * The registry still holds active reference photos embedded by another model (the engine's model
 * changed; the enrolment queue is re-embedding them). A check judged now would miss those people,
 * so it waits: the queue adapter puts it back, delayed, without spending an attempt.
 */
export class RegistryNotReady extends Error {
  constructor(readonly stale: number) {
    super(`${stale} reference photo(s) are still being re-embedded by the current model`);
  }
}

import type { AuditEntry, AuditRepository } from '../store/audit.js';

export type { AuditEntry } from '../store/audit.js';

/** Reading the audit log of registry changes and review decisions (the changes write it themselves). */
export class AuditService {
  constructor(private readonly audit: Pick<AuditRepository, 'list'>) {}

  /** Newest first, optionally for one subject such as `person:enver-bekirov` or `check:<id>`. */
  list(filter: { subject?: string; limit: number; offset: number }): Promise<AuditEntry[]> {
    return this.audit.list(filter);
  }
}

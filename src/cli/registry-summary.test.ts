import { describe, expect, it } from 'vitest';
import type { FolderRegistrySummary } from '../report/report.js';
import { describeRegistry, serviceRegistrySummary } from './registry-summary.js';

const overview = {
  version: 7,
  people: 3,
  referencePhotos: { active: 4, pending: 1, rejected: 2, retired: 5 },
  peopleWithoutPhotos: ['Hugo Chavez'],
};

describe('the registry summary of a check', () => {
  it('with --server, takes the counts from the service and says null, not 0, for what the service does not report', () => {
    expect(serviceRegistrySummary(overview)).toEqual({
      source: 'service',
      people: 3,
      referencePhotos: { used: 4, skippedCount: 2, pending: 1, computed: null, fromCache: null, skipped: null, weak: null },
      peopleWithoutPhotos: ['Hugo Chavez'],
    });
  });

  it('has the same keys offline and with --server', () => {
    const folder: FolderRegistrySummary = {
      source: 'folder',
      people: 1,
      referencePhotos: { used: 1, skippedCount: 0, pending: 0, computed: 1, fromCache: 0, skipped: [], weak: [] },
      peopleWithoutPhotos: [],
    };
    const service = serviceRegistrySummary(overview);
    expect(Object.keys(service).sort()).toEqual(Object.keys(folder).sort());
    expect(Object.keys(service.referencePhotos).sort()).toEqual(Object.keys(folder.referencePhotos).sort());
  });

  it('tells a user of --server what the service counted, who cannot be matched and that photos were still enrolling', () => {
    const text = describeRegistry('server http://localhost:3000', serviceRegistrySummary(overview));
    expect(text).toContain(
      'registry of server http://localhost:3000: 3 people; reference photos: 4 in use, 2 rejected, 1 not yet enrolled',
    );
    expect(text).toContain('warning: Hugo Chavez has no usable reference photo');
    expect(text).toContain('1 reference photo(s) not yet enrolled when the check started may be missing from it');
    expect(text).not.toMatch(/computed|from cache/);
  });
});

import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { uploadSlots } from '../../src/api/uploads.js';

/** One upload request as the middleware sees it: its API key, and a response that can end. */
function upload(key: string) {
  const res = Object.assign(new EventEmitter(), { locals: { apiKey: { id: key } } });
  let outcome: 'running' | 'refused' | 'waiting' = 'waiting';
  let error: unknown;
  const next: NextFunction = (failure?: unknown) => {
    outcome = failure ? 'refused' : 'running';
    error = failure;
  };
  return {
    res: res as unknown as Response,
    next,
    outcome: () => outcome,
    error: () => error,
    end: () => res.emit('close'),
  };
}

describe('upload slots', () => {
  it('lets a crowd of clients wait their turn instead of refusing them, first come first served', () => {
    const slots = uploadSlots({ total: 2, perKey: 4, waitMs: 60_000 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(upload);
    for (const request of [a, b, c, d]) slots({} as Request, request.res, request.next);
    expect([a, b, c, d].map((request) => request.outcome())).toEqual(['running', 'running', 'waiting', 'waiting']);
    a.end();
    expect(c.outcome()).toBe('running');
    expect(d.outcome()).toBe('waiting');
    b.end();
    expect(d.outcome()).toBe('running');
  });

  it('refuses at once, with 503, a key that already has its share of uploads in progress; its next upload goes through once one ends', () => {
    const slots = uploadSlots({ total: 10, perKey: 2, waitMs: 60_000 });
    const [first, second, third] = ['heavy', 'heavy', 'heavy'].map(upload);
    for (const request of [first, second, third]) slots({} as Request, request.res, request.next);
    expect(third.outcome()).toBe('refused');
    expect(third.error()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    first.end();
    const fourth = upload('heavy');
    slots({} as Request, fourth.res, fourth.next);
    expect(fourth.outcome()).toBe('running');
  });

  it('frees the place of a client that leaves while it waits, so the slot goes to the next one', () => {
    const slots = uploadSlots({ total: 1, perKey: 4, waitMs: 60_000 });
    const [running, gone, next] = ['a', 'b', 'c'].map(upload);
    for (const request of [running, gone, next]) slots({} as Request, request.res, request.next);
    gone.end();
    running.end();
    expect(gone.outcome()).toBe('waiting');
    expect(next.outcome()).toBe('running');
  });

  it('answers 503 to an upload that waited longer than it may', async () => {
    const slots = uploadSlots({ total: 1, perKey: 4, waitMs: 20 });
    const [running, late] = ['a', 'b'].map(upload);
    for (const request of [running, late]) slots({} as Request, request.res, request.next);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(late.outcome()).toBe('refused');
    expect(late.error()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    running.end();
    const after = upload('c');
    slots({} as Request, after.res, after.next);
    expect(after.outcome()).toBe('running');
  });
});

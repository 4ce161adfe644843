import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { draftPhotos, handout, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { sparePort } from '../helpers/own-services.js';
import { pdfHandout } from '../helpers/pdf.js';
import { type ChildService, createKey, dropQueues, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';
import { startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical findings on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }
    ).axe;
    return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.length }));
  });
  return results
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.nodes})`);
}

/**
 * The verification team at the review desk, in real Chromium against real API, check worker and
 * webhook worker processes: a handout whose third photo shows someone else than its caption says.
 */
describe('the review desk', () => {
  let pool: pg.Pool;
  let processes: ChildService[] = [];
  let hooks: TestReceiver;
  let env: Record<string, string>;
  let base: string;
  let browser: Browser;
  const keys: Record<'admin' | 'curator' | 'submitter' | 'reviewer', string> = { admin: '', curator: '', submitter: '', reviewer: '' };
  let swapId: string;
  let cleanId: string;

  const signIn = async (key: string) => {
    // bypassCSP only so that the test can inject axe-core; the pages themselves run no script.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/review`);
    expect(page.url()).toBe(`${base}/review/login`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/review`);
    return page;
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    for (const role of Object.keys(keys) as Array<keyof typeof keys>) keys[role] = await createKey(pool, role);
    await pool.query(`update api_keys set name = 'Olena (reviewer)' where role = 'reviewer'`);
    const port = await sparePort();
    base = `http://127.0.0.1:${port}`;
    env = await testEnvironment({ PORT: String(port), PUBLIC_URL: base, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_BACKOFF_BASE_MS: '250' });
    processes = [startProcess('src/api/main.ts', env), startProcess('workers/worker.ts', env), startProcess('workers/webhooks.ts', env)];
    await processes[0].waitFor(/API listening on port \d+/);
    await processes[1].waitFor(/worker ready/);
    await processes[2].waitFor(/webhook delivery ready/);
    hooks = await startTestReceiver([{ status: 200 }]);
    const curator = new ApiClient(base, keys.curator);
    await pushRegistry(await lfwRegistryFolder(), curator, { wait: true });
    // A registry name an attacker typed: it must be shown as text everywhere.
    await curator.json('PATCH', '/v1/people/tony-blair', { aliases: ['<script>alert("x")</script>'] });
    await new ApiClient(base, keys.admin).json('POST', '/v1/webhooks', { url: hooks.url, events: ['check.reviewed'] });

    const submit = async (image: Buffer, names: string[], file: string) => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(image)]), file);
      form.append('names', JSON.stringify(names));
      const response = await fetch(`${base}/v1/checks`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${keys.submitter}` },
      });
      return (await response.json()).id as string;
    };
    cleanId = await submit(await readFile(lfwPhoto('colin-powell', draftPhotos['colin-powell'])), ['Colin Powell'], 'powell.jpg');
    await waitForCheck(base, keys.submitter, cleanId);
    const summit = await handout([
      lfwPhoto('colin-powell', draftPhotos['colin-powell']),
      lfwPhoto('tony-blair', draftPhotos['tony-blair']),
      lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']),
    ]);
    swapId = await submit(summit, ['Colin Powell', 'Tony Blair', 'George W Bush'], 'summit-handout.jpg');
    await waitForCheck(base, keys.submitter, swapId);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(processes.map((child) => child.stop()));
    await hooks?.close();
    if (env) await dropQueues(env);
    await pool?.end();
  });

  it('asks for an API key on a sign-in page that passes the accessibility check, and refuses a wrong key', async () => {
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${base}/review/login`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('API key').fill('pvk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('unknown or revoked');
    expect(await page.context().cookies()).toEqual([]);
    await page.context().close();
  });

  it('signs in with an API key kept in an HttpOnly, SameSite=Strict session cookie, and lists the flagged handout first', async () => {
    const page = await signIn(keys.reviewer);
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'pv_review', httpOnly: true, sameSite: 'Strict', path: '/review' });
    expect(cookies[0].value).not.toContain(keys.reviewer);
    const rows = await page.locator('tbody tr').allTextContents();
    expect(rows[0]).toContain('summit-handout.jpg');
    expect(rows[0]).toContain('flagged');
    expect(rows[1]).toContain('powell.jpg');
    expect(await page.locator('.counts').textContent()).toContain('1 flagged and not decided');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the draft with a numbered box per face and the swapped face beside the claimed person’s photos and whom it shows', async () => {
    const page = await signIn(keys.reviewer);
    await page.getByRole('link', { name: 'summit-handout.jpg' }).click();
    await page.waitForURL(`${base}/review/checks/${swapId}`);
    expect(await page.locator('svg.boxes g.face-box').count()).toBe(3);
    const draft = page.locator('figure.draft img');
    expect(await draft.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const face = page.locator('#face-3');
    expect(await face.textContent()).toMatch(/Face 3: .*mismatch[\s\S]*captioned George W Bush[\s\S]*matches Vladimir Putin instead/);
    const pictures = await face
      .locator('img')
      .evaluateAll((images) =>
        images.map((img) => ({ alt: (img as HTMLImageElement).alt, ok: (img as HTMLImageElement).naturalWidth > 0 })),
      );
    expect(pictures.every((picture) => picture.ok)).toBe(true);
    expect(pictures.map((picture) => picture.alt).join(' | ')).toMatch(/Face 3 as the draft shows it.*george-w-bush.*vladimir-putin/);
    expect(await page.locator('#face-1').textContent()).toContain('confirmed');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('records a decision: on the check, in the API, in the audit log, and as a check.reviewed event', async () => {
    const page = await signIn(keys.reviewer);
    await page.goto(`${base}/review/checks/${swapId}`);
    await page.getByLabel('photo wrong').check();
    await page.getByLabel('Note (what you found, whom to tell)').fill('Putin above Bush’s name: tell the designer');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.waitForURL(`${base}/review/checks/${swapId}`);
    expect(await page.locator('main').textContent()).toContain('Decided: photo wrong');

    const check = await new ApiClient(base, keys.submitter).json<{ review: unknown }>('GET', `/v1/checks/${swapId}`);
    expect(check.review).toMatchObject({ decision: 'photo_wrong', note: 'Putin above Bush’s name: tell the designer' });
    const audit = await new ApiClient(base, keys.reviewer).json<{ entries: Array<{ action: string; details: unknown }> }>(
      'GET',
      `/v1/audit?subject=check:${swapId}`,
    );
    expect(audit.entries.map((entry) => entry.action)).toContain('check.reviewed');
    const [delivery] = await hooks.waitFor(1);
    const event = JSON.parse(delivery.body.toString());
    expect(event).toMatchObject({
      type: 'check.reviewed',
      data: {
        check: { id: swapId, reviewUrl: `${base}/review/checks/${swapId}` },
        review: { decision: 'photo_wrong', reviewedBy: 'Olena (reviewer)' },
      },
    });
    await page.goto(`${base}/review?decided=yes`);
    expect(await page.locator('tbody tr').first().textContent()).toContain('photo wrong');
    await page.context().close();
  });

  it('does not let a submitter key decide, on the page or by posting the form', async () => {
    const page = await signIn(keys.submitter);
    await page.goto(`${base}/review/checks/${cleanId}`);
    expect(await page.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('cannot record decisions');
    // The form is not there, but a submitter who posts it anyway with a valid session and token is refused.
    const cookie = (await page.context().cookies())[0];
    const headers = { cookie: `${cookie.name}=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' };
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/review`, { headers })).text())![1];
    const posted = await fetch(`${base}/review/checks/${cleanId}/decision`, {
      method: 'POST',
      headers,
      body: `csrf=${encodeURIComponent(csrf)}&decision=photo_correct`,
      redirect: 'manual',
    });
    expect(posted.status).toBe(403);
    await page.context().close();
  });

  it('refuses a forged cross-site POST: without the form token, or from another origin', async () => {
    const page = await signIn(keys.reviewer);
    const cookie = (await page.context().cookies())[0];
    const headers = { cookie: `${cookie.name}=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' };
    const noToken = await fetch(`${base}/review/checks/${cleanId}/decision`, {
      method: 'POST',
      headers,
      body: 'decision=photo_correct',
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    const token = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/review`, { headers })).text())![1];
    const otherSite = await fetch(`${base}/review/checks/${cleanId}/decision`, {
      method: 'POST',
      headers: { ...headers, origin: 'https://evil.example' },
      body: `csrf=${encodeURIComponent(token)}&decision=photo_correct`,
      redirect: 'manual',
    });
    expect(otherSite.status).toBe(403);
    const check = await new ApiClient(base, keys.submitter).json<{ review: unknown }>('GET', `/v1/checks/${cleanId}`);
    expect(check.review).toBeNull();
    await page.context().close();
  });

  it('lists batches in the inbox, those with flagged checks not yet decided first, and filters the checks by batch', async () => {
    const submitter = new ApiClient(base, keys.submitter);
    const batch = await submitter.json<{ id: string }>('POST', '/v1/batches', { name: 'Summit leaflet, second print' });
    const image = await handout([
      lfwPhoto('tony-blair', draftPhotos['tony-blair']),
      lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']),
    ]);
    const { checks } = await submitter.upload<{ checks: Array<{ id: string }> }>(
      `/v1/batches/${batch.id}/checks`,
      { bytes: image, name: 'second-print.jpg' },
      {
        names: JSON.stringify(['Tony Blair', 'Colin Powell']),
      },
    );
    await submitter.json('POST', `/v1/batches/${batch.id}/close`);
    await waitForCheck(base, keys.submitter, checks[0].id);
    const page = await signIn(keys.reviewer);
    const firstBatch = page.locator('table').first().locator('tbody tr').first();
    expect(await firstBatch.textContent()).toMatch(/Summit leaflet, second print[\s\S]*1 of 1/);
    await firstBatch.getByRole('link').click();
    const rows = await page.locator('table').last().locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('second-print.jpg');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the registry with its photos, a name with <script> as text, and passes the accessibility check', async () => {
    const page = await signIn(keys.curator);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${base}/review/people`);
    expect(await page.locator('main').textContent()).toContain('<script>alert("x")</script>');
    expect(dialogs).toEqual([]);
    expect(await page.locator('section.face h2').count()).toBe(4);
    expect(await page.getByRole('button', { name: 'Retire this photo' }).count()).toBeGreaterThan(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(os.tmpdir(), 'review-people.png') });
    await page.context().close();
  });

  it('shows the names read from a PDF handout’s captions, where they were read and the face each captions', async () => {
    const pdf = await pdfHandout([
      [
        { photo: lfwPhoto('colin-powell', draftPhotos['colin-powell']), caption: 'Vladimir Putin' },
        { photo: lfwPhoto('tony-blair', draftPhotos['tony-blair']), caption: 'Tony Blair' },
      ],
    ]);
    const { checks } = await new ApiClient(base, keys.submitter).upload<{ checks: Array<{ id: string }> }>(
      '/v1/checks',
      { bytes: pdf, name: 'leaflet.pdf' },
      {},
    );
    await waitForCheck(base, keys.submitter, checks[0].id);
    const page = await signIn(keys.reviewer);
    await page.goto(`${base}/review/checks/${checks[0].id}`);
    expect(await page.locator('main').textContent()).toContain('names as claimed: none given: read from the captions');
    const rows = await page.locator('table.captions tbody tr').allTextContents();
    expect(rows).toEqual([
      expect.stringMatching(/^Vladimir PutinFace 1Vladimir Putinthe PDF's text layer, 100%$/),
      expect.stringMatching(/^Tony BlairFace 2Tony Blairthe PDF's text layer, 100%$/),
    ]);
    expect(await page.locator('#face-1').textContent()).toMatch(/mismatch[\s\S]*captioned Vladimir Putin/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });
});

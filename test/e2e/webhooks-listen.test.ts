/**
 * `photo-verify webhooks listen` as a user runs it: the real command in a child process, receiving
 * deliveries signed the way the service signs them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSecret, sign } from '../../src/services/webhooks/signing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | null = null;

afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

function listen(args: string[]) {
  child = spawn(process.execPath, ['bin/photo-verify.mjs', 'webhooks', 'listen', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => (output.stdout += chunk));
  child.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const until = async (predicate: () => boolean, what: string) => {
    for (let tries = 0; tries < 300 && !predicate(); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!predicate()) throw new Error(`no ${what} in ${JSON.stringify(output)}`);
  };
  return { output, exited, until };
}

describe('photo-verify webhooks listen', () => {
  it('prints a delivery whose signature verifies, and refuses one signed with another secret', async () => {
    const secret = generateSecret();
    const run = listen(['--secret', secret, '--port', '0']);
    await run.until(() => /listening for webhooks on (http:\S+)/.test(run.output.stderr), 'listening line');
    const url = /listening for webhooks on (http:\S+)/.exec(run.output.stderr)![1];

    const body = JSON.stringify({
      id: 'evt_1',
      type: 'check.flagged',
      timestamp: new Date().toISOString(),
      schemaVersion: 1,
      data: { check: { id: 'c1' } },
    });
    const post = (secrets: string[], id: string) => {
      const timestamp = Math.floor(Date.now() / 1000);
      return fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': sign({ id, timestamp, body }, secrets),
        },
      });
    };
    expect((await post([secret], 'msg_good')).status).toBe(204);
    expect((await post([generateSecret()], 'msg_forged')).status).toBe(401);
    // During a rotation the header carries two signatures; one that verifies is enough.
    expect((await post([generateSecret(), secret], 'msg_rotating')).status).toBe(204);

    await run.until(() => run.output.stdout.trim().split('\n').length === 2, 'two printed events');
    const printed = run.output.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(printed.map((line) => line.webhookId)).toEqual(['msg_good', 'msg_rotating']);
    expect(printed[0].event).toEqual(JSON.parse(body));
    expect(run.output.stderr).toContain('refused msg_forged: no v1 signature matches the body');

    child!.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses to start without a secret, or with one that is not whsec_ base64, with exit status 2', async () => {
    const missing = listen([]);
    expect(await missing.exited).toBe(2);
    expect(missing.output.stderr).toContain('usage: photo-verify webhooks listen --secret whsec_...');
    const bad = listen(['--secret', 'whsec_not base64!']);
    expect(await bad.exited).toBe(2);
    expect(bad.output.stderr).toContain('a webhook secret is "whsec_" followed by base64');
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { secretKey, verify } from '../services/webhooks/signing.js';
import { setExitStatus, UsageError } from './command.js';

/** The largest body the receiver reads; events are a few kilobytes. */
const maxBodyBytes = 1024 * 1024;

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

/** A verifying receiver; `print` gets each verified event, `warn` each refused delivery. */
export function startReceiver(options: {
  secret: string;
  port: number;
  host: string;
  print(line: string): void;
  warn(line: string): void;
}): Promise<Receiver> {
  secretKey(options.secret);
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      // Verify the bytes exactly as received, before any JSON parsing.
      const body = Buffer.concat(chunks);
      const verdict = verify(options.secret, request.headers, body);
      const id = request.headers['webhook-id'];
      if (!verdict.ok) {
        options.warn(`refused ${id ?? 'a delivery without webhook-id'}: ${verdict.reason}`);
        response.writeHead(401, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
        return;
      }
      let event: unknown;
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        options.warn(`refused ${id}: the body is not JSON`);
        response.writeHead(400).end();
        return;
      }
      options.print(JSON.stringify({ webhookId: id, event }));
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** `photo-verify webhooks listen`: runs until interrupted. */
export function webhooksCommand(): Command {
  const listen = new Command('listen')
    .summary('run a receiver that verifies and prints webhook events')
    .description(
      `Runs a small webhook receiver for trying the service out: every POST is verified with the secret (Standard Webhooks signature, timestamp within 5 minutes) and its event printed as one JSON line on standard output; a delivery that does not verify is answered 401 and reported on standard error. Ctrl-C stops it.`,
    )
    .usage('--secret whsec_... [--port N] [--host HOST]')
    .option('--secret <SECRET>', "the subscription's signing secret, whsec_ followed by base64")
    .option('--port <N>', 'port to listen on (0 for any free one)', '4000')
    .option('--host <HOST>', 'address to listen on', '127.0.0.1')
    .action(async (options: { secret?: string; port: string; host: string }, command: Command) => {
      setExitStatus(command, await listenForWebhooks(options));
    });
  return new Command('webhooks')
    .summary('webhooks of the service (webhooks listen)')
    .description('Webhooks of the service.')
    .addCommand(listen);
}

async function listenForWebhooks(values: { secret?: string; port: string; host: string }): Promise<number> {
  if (!values.secret) throw new UsageError("--secret is required: the subscription's signing secret, whsec_ followed by base64");
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a port number, 0 to 65535; got "${values.port}"`);
  try {
    secretKey(values.secret);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const receiver = await startReceiver({
    secret: values.secret,
    port,
    host: values.host,
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`listening for webhooks on ${receiver.url} (verifying with the given secret)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  return 0;
}

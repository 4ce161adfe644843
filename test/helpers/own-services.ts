import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port nothing listens on now. */
export async function sparePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A PostgreSQL or Redis of a test's own, on a spare port, that the test may stop and start; the shared ones are never touched. */
export interface OwnService {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

async function postgresBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error('PostgreSQL server binaries are not installed under /usr/lib/postgresql');
  return path.join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
}

/** PostgreSQL refuses to run as root: as root, its commands run as the postgres user. */
function asPostgres(command: string, args: string[]) {
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
}

/** A PostgreSQL cluster of its own in a temporary folder (initdb, pg_ctl), trust auth, on a spare port. */
export async function ownPostgres(): Promise<OwnService> {
  const bin = await postgresBin();
  const port = await sparePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pv-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dataDir, Number(stdout.trim()), Number(group.trim()));
  }
  await asPostgres(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const ctl = (...args: string[]) => asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  const service: OwnService = {
    url: `postgres://postgres@127.0.0.1:${port}/photo_verify`,
    async start() {
      await ctl(
        '-l',
        path.join(dataDir, 'server.log'),
        '-w',
        '-o',
        `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      );
    },
    async stop() {
      await ctl('-m', 'fast', '-w', 'stop');
    },
    async dispose() {
      await ctl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}

/** A redis-server of its own on a spare port, keeping nothing on disk: a restart loses every queue, as a crash would. */
export async function ownRedis(): Promise<OwnService> {
  const port = await sparePort();
  let child: ChildProcess | null = null;
  const service: OwnService = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
        detached: true,
      });
      for (let tries = 0; tries < 100; tries++) {
        const up = await new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        if (up) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`redis-server did not start on port ${port}`);
    },
    async stop() {
      const stopping = child;
      if (!stopping || stopping.exitCode !== null) return;
      const exited = new Promise((resolve) => stopping.once('exit', resolve));
      stopping.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await service.stop();
    },
  };
  await service.start();
  return service;
}

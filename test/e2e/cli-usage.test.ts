/**
 * The command line's help, version and usage errors, as a user meets them: the real command in a
 * child process. Nothing here starts the face engine, a database or a server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { photoVerify, repositoryRoot } from '../helpers/cli.js';

/** Every command, with options its help must show. */
const commands: Record<string, string[]> = {
  check: [
    '--registry <DIR>',
    '--claims <FILE>',
    '--json <FILE>',
    '--csv <FILE>',
    '--html <FILE>',
    '--cache <FILE>',
    '--threads <N>',
    '--descriptor <MODE>',
    '--server <URL>',
    '--api-key <KEY>',
    '--category <NAME>',
  ],
  'registry push': ['REGISTRY_FOLDER', '--server <URL>', '--api-key <KEY>', '--no-wait'],
  'keys create': ['--role <ROLE>', '--name <NAME>'],
  'webhooks listen': ['--secret <SECRET>', '--port <N>', '--host <HOST>'],
};

describe('photo-verify help and usage errors', () => {
  it('photo-verify --help lists every command', async () => {
    const run = await photoVerify(['--help']);
    expect(run.code, run.stderr).toBe(0);
    for (const name of Object.keys(commands)) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(run.stdout).toContain('--version');
  });

  it("each command's --help shows its options, on standard output with exit status 0", async () => {
    for (const [name, options] of Object.entries(commands)) {
      const run = await photoVerify([...name.split(' '), '--help']);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toContain(`Usage: photo-verify ${name} `);
      for (const option of [...options, '-h, --help']) expect(run.stdout, name).toContain(option);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as { version: string };
    const run = await photoVerify(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it('an unknown option is refused with a coded error, the usage and exit status 2, by every command', async () => {
    for (const name of Object.keys(commands)) {
      const run = await photoVerify([...name.split(' '), '--bogus']);
      expect(run.code, name).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`photo-verify ${name}: VALIDATION: Unknown option '--bogus'`);
      expect(run.stderr).toContain(`usage: photo-verify ${name} `);
      expect(run.stderr).toContain(`Run "photo-verify ${name} --help" for the options.`);
    }
  });

  it('an option of the other mode of check is refused: --cache with --server, --api-key without it', async () => {
    const cacheWithServer = await photoVerify(['check', '--server', 'http://127.0.0.1:9', '--api-key', 'k', '--cache', 'c.json', 'x.jpg']);
    expect(cacheWithServer.code).toBe(2);
    expect(cacheWithServer.stderr).toContain('photo-verify check: VALIDATION: --cache: for the offline check only');
    const keyOffline = await photoVerify(['check', '--registry', 'examples/registry', '--api-key', 'k', 'x.jpg']);
    expect(keyOffline.code).toBe(2);
    expect(keyOffline.stderr).toContain('photo-verify check: VALIDATION: --api-key: for the check through the service only');
  });

  it('an unknown command, or none, is refused with exit status 2; the help for no command goes to standard error', async () => {
    const unknown = await photoVerify(['chek']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("photo-verify: VALIDATION: Unknown command 'chek' (did you mean check?)");

    const none = await photoVerify([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: photo-verify');

    const group = await photoVerify(['registry']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('registry push');
  });
});

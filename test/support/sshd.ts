// A real OpenSSH server on a loopback port, run as the test's own user (sshd then accepts that
// user only), with its own host key and authorised keys: the network element of the target tests.
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './wait.ts';

export const SSHD = '/usr/sbin/sshd';
export const hasSshd = fs.existsSync(SSHD);

export interface SshKey {
  privateKey: string;
  publicKey: string;
}

export interface TestSshd {
  port: number;
  user: string;
  /** known_hosts line for 127.0.0.1 at this port. */
  knownHosts: string;
  /** Authorised: the key a credential holds. */
  key: SshKey;
  /** The same kind of key, not authorised. */
  wrongKey: SshKey;
  /** An authorised key encrypted with `passphrase`. */
  encryptedKey: SshKey & { passphrase: string };
  /** Where the "element" keeps what playbooks configure (a directory only the test uses). */
  stateDir: string;
  stop(): Promise<void>;
}

export async function generateKey(dir: string, name: string, passphrase = ''): Promise<SshKey> {
  const file = path.join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return { privateKey: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8').trim() };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<TestSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-sshd-'));
  const stateDir = path.join(dir, 'element');
  fs.mkdirSync(stateDir);
  // As root, sshd wants its privilege separation directory.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  const [key, wrongKey, encryptedKey] = [await generateKey(dir, 'client'), await generateKey(dir, 'wrong'), await generateKey(dir, 'encrypted', 'correct horse battery staple')];
  fs.writeFileSync(path.join(dir, 'authorized_keys'), `${key.publicKey}\n${encryptedKey.publicKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'MaxStartups 100',
    'MaxSessions 100',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'sshd_config'), `${config}\n`);
  const child: ResultPromise = execa(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { reject: false, stdin: 'ignore', buffer: true });
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await eventually(listening, Boolean, `sshd listening on 127.0.0.1:${port}`, 10_000);
  const hostKey = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return {
    port,
    user: os.userInfo().username,
    knownHosts: `[127.0.0.1]:${port} ${hostKey}`,
    key,
    wrongKey,
    encryptedKey: { ...encryptedKey, passphrase: 'correct horse battery staple' },
    stateDir,
    async stop() {
      child.kill('SIGTERM');
      await child;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

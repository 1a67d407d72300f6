// Makes a fresh checkout runnable: generates the Prisma client when schema.prisma changed, and
// checks for ansible-playbook. Only with --install (`npm run setup`, `npm test`) does it change the
// machine: it installs Debian's ansible-core when ansible-playbook is missing (as root), else says
// how, and the lab's real network elements (osmo-hlr, FreeRADIUS, Kamailio) for the demo;
// --for-tests (`npm test`) also Debian's chromium (browser tests), openssh-server (target tests
// against a real SSH server), faketime (workers with a wrong clock) and sip-tester (sipp, the
// lab's SIP tests). Before `npm start`
// it never installs anything: it warns, and the server starts.
// Builds the operator console into dist/console (always; ~150 ms).
// Otherwise a no-op in ~50 ms once everything is in place.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildConsole } from './build-console.ts';
import { LAB_ELEMENTS } from '../src/demo/lab/lab.ts';

const root = new URL('..', import.meta.url).pathname;
const stampPath = `${root}src/generated/.prisma-schema.sha256`;

function schemaHash(): string {
  const hash = createHash('sha256');
  for (const file of ['prisma/schema.prisma', 'package-lock.json']) hash.update(fs.readFileSync(`${root}${file}`));
  return hash.digest('hex');
}

function ensurePrismaClient(): void {
  const wanted = schemaHash();
  const current = fs.existsSync(stampPath) ? fs.readFileSync(stampPath, 'utf8') : '';
  if (current === wanted && fs.existsSync(`${root}src/generated/prisma/client.ts`)) return;
  console.log('setup: generating the Prisma client');
  // The native schema engine cannot be downloaded here and generate does not need it.
  execFileSync(`${root}node_modules/.bin/prisma`, ['generate'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
  fs.writeFileSync(stampPath, wanted);
}

function hasAnsible(): boolean {
  return spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
}

const HOW_TO_INSTALL =
  'Install ansible-core (Debian/Ubuntu: `npm run setup` as root, or `sudo apt-get install -y --no-install-recommends ansible-core`; ' +
  'elsewhere `pipx install ansible-core`).';

function ensureAnsible(install: boolean): void {
  if (hasAnsible()) return;
  if (!install) {
    console.warn(`setup: ansible-playbook is not installed: the API works, but no playbook can run. ${HOW_TO_INSTALL}`);
    return;
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(`setup: ansible-playbook is not installed. ${HOW_TO_INSTALL}`);
    process.exit(1);
  }
  console.log('setup: installing ansible-core from Debian (one time)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'ansible-core'], { stdio: 'inherit', env });
  if (!hasAnsible()) {
    console.error('setup: ansible-core was installed but ansible-playbook is still not on PATH');
    process.exit(1);
  }
}

/** What the tests need beside Node: a Debian package, installed as root when it is missing. */
function ensureTestPackage(installed: () => boolean, pkg: string, why: string): void {
  if (installed()) return;
  if (process.getuid?.() !== 0) {
    console.error(`setup: ${why} need ${pkg}: \`sudo apt-get install -y --no-install-recommends ${pkg}\``);
    process.exit(1);
  }
  console.log(`setup: installing ${pkg} from Debian for ${why} (one time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env });
}

/** Whether dpkg has the package installed (not only its configuration left from a removal). */
function debianPackageInstalled(pkg: string): boolean {
  const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return status.status === 0 && status.stdout.endsWith(' installed');
}

/**
 * The lab's real network elements (Debian packages) for `npm start`'s demo. Optional: without
 * them the demo products use their stand-ins, so a machine where they cannot be installed is told
 * how, and goes on.
 */
function ensureLabElements(): void {
  const missing = LAB_ELEMENTS.flatMap((element) => element.debianPackages).filter((pkg) => !debianPackageInstalled(pkg));
  if (missing.length === 0) return;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (process.getuid?.() !== 0 || !hasApt) {
    console.warn(`setup: the lab's real elements are not installed (the demo uses stand-ins): \`sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\``);
    return;
  }
  console.log(`setup: installing the lab's real network elements from Debian (one time): ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

ensurePrismaClient();
ensureAnsible(process.argv.includes('--install'));
if (process.argv.includes('--install')) ensureLabElements();
if (process.argv.includes('--for-tests')) {
  // The end-to-end tests drive Debian's chromium (no browser can be downloaded here).
  ensureTestPackage(() => spawnSync('chromium', ['--version'], { stdio: 'ignore' }).status === 0, 'chromium', 'the browser tests');
  ensureTestPackage(() => fs.existsSync('/usr/sbin/sshd'), 'openssh-server', 'the target tests');
  // The cluster clock tests skew a worker's clock with libfaketime.
  ensureTestPackage(() => spawnSync('faketime', ['--version'], { stdio: 'ignore' }).status === 0, 'faketime', 'the cluster clock tests');
  // The lab's SIP tests register as a phone would, with sipp.
  ensureTestPackage(() => fs.existsSync('/usr/bin/sipp'), 'sip-tester', 'the lab\'s SIP tests');
}
// The operator console (/console) is built from console/ on every start: ~150 ms.
await buildConsole({ quiet: !process.argv.includes('--install') });

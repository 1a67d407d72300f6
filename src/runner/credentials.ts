// Credentials for one run: files in the run's private directory (owner-only, removed with it),
// ansible-playbook arguments that point at them, and the variables a playbook reads them from.
import { createRequire } from 'node:module';
import type SshPk from 'sshpk';
import type { PrivateDir } from './ansible.ts';

// sshpk (~35 modules) loads with the first SSH key, not with the server: cold start.
const require = createRequire(import.meta.url);
let sshpkModule: typeof SshPk | undefined;
const sshpk = (): typeof SshPk => (sshpkModule ??= require('sshpk') as typeof SshPk);

export type RunCredential =
  | { kind: 'SSH_KEY'; name: string; username: string | null; privateKey: string; passphrase: string | null }
  | { kind: 'USERNAME_PASSWORD'; name: string; username: string | null; password: string }
  | { kind: 'API_TOKEN'; name: string; username: string | null; token: string }
  | { kind: 'VAULT_PASSWORD'; name: string; password: string };

export class CredentialError extends Error {
  override name = 'CredentialError';
}

/** Extra var holding the run's credentials, by name. */
export const CREDENTIALS_VARIABLE = 'provisio_credentials';

/** The run's credentials, opened and checked before anything is written. */
export interface CredentialPlan {
  /** Every value to mask, including the forms written to files. */
  secrets: string[];
  /** Writes the files into the run's directory: the arguments and variables that point at them. */
  write(dir: PrivateDir): Promise<{ args: string[]; variables: Record<string, Record<string, string | null>> }>;
}

/**
 * An SSH private key (OpenSSH or PEM), opened with its passphrase: what a key file for `ssh`
 * holds, without a passphrase since nobody is there to type it. Throws CredentialError.
 */
export function openSshKey(privateKey: string, passphrase: string | null): { unencrypted: string; fingerprint: string } {
  const { parsePrivateKey } = sshpk();
  try {
    const key = parsePrivateKey(privateKey, 'auto', passphrase ? { passphrase } : undefined);
    return { unencrypted: key.toString('openssh'), fingerprint: key.toPublic().fingerprint('sha256').toString() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/passphrase|encrypted/i.test(message)) throw new CredentialError(passphrase ? 'the passphrase does not open the SSH key' : 'the SSH key is encrypted: give its passphrase');
    throw new CredentialError('not an SSH private key in OpenSSH or PEM format');
  }
}

/** Opens the credentials (an SSH key with its passphrase); throws CredentialError. */
export function planCredentials(credentials: readonly RunCredential[]): CredentialPlan {
  if (credentials.filter((c) => c.kind === 'SSH_KEY').length > 1) throw new CredentialError('a run can connect with one SSH key');
  const secrets: string[] = [];
  const keys = new Map<string, string>();
  for (const credential of credentials) {
    if (credential.kind === 'SSH_KEY') {
      const { unencrypted } = openSshKey(credential.privateKey, credential.passphrase);
      keys.set(credential.name, unencrypted.endsWith('\n') ? unencrypted : `${unencrypted}\n`);
      secrets.push(credential.privateKey, unencrypted, ...(credential.passphrase ? [credential.passphrase] : []));
    } else if (credential.kind === 'API_TOKEN') secrets.push(credential.token);
    else secrets.push(credential.password);
  }
  return {
    secrets,
    async write(dir) {
      const args: string[] = [];
      const variables: Record<string, Record<string, string | null>> = {};
      for (const credential of credentials) {
        switch (credential.kind) {
          case 'SSH_KEY': {
            const file = await dir.write(`ssh-key-${credential.name}`, keys.get(credential.name)!);
            // Command-line options: the lowest precedence, so a host's own ansible_user still wins.
            args.push('--private-key', file);
            if (credential.username) args.push('--user', credential.username);
            variables[credential.name] = { username: credential.username, private_key_file: file };
            break;
          }
          case 'USERNAME_PASSWORD':
            variables[credential.name] = { username: credential.username, password: credential.password };
            break;
          case 'API_TOKEN':
            variables[credential.name] = { username: credential.username, token: credential.token };
            break;
          case 'VAULT_PASSWORD': {
            // A plain file: Ansible would execute an executable one (0600 is not).
            const file = await dir.write(`vault-password-${credential.name}`, credential.password);
            args.push('--vault-id', `${credential.name}@${file}`);
            break;
          }
        }
      }
      return { args, variables };
    },
  };
}

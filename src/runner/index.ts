// The runner's public surface: it knows Ansible, not GraphQL.
export type * from './types.ts';
export { runPlaybook } from './run.ts';
export { classifyOutcome, EventHandlerError } from './outcome.ts';
export type { OutcomeClass } from './outcome.ts';
export { createEventLineParser, parseEventLine } from './events.ts';
export type { EventLineParser, EventLineParserOptions } from './events.ts';
export { maskSecrets, createMasker, MASK } from './mask.ts';
export type { Masker } from './mask.ts';
export { encodeExtraVars, VariablesError } from './vars.ts';
export {
  syntaxCheck,
  ansibleVersion,
  resolveAnsiblePlaybook,
  AnsibleNotFoundError,
  CALLBACK_PLUGIN_DIR,
  PLUGIN_FATAL_EXIT_CODE,
  sweepOrphanedRunDirs,
} from './ansible.ts';
export type { AnsibleVersion, SyntaxCheckResult } from './ansible.ts';
export { hasProcessEnded, hostIdentity, isAnsibleOfRun, processStartedAt } from './process-identity.ts';
export { CREDENTIALS_VARIABLE, CredentialError, openSshKey } from './credentials.ts';
export type { RunCredential } from './credentials.ts';
export { InventoryError, inventoryProblems, isHostPattern, parseInventoryText } from './inventory.ts';
export type { Inventory, InventoryGroup, RunTarget } from './inventory.ts';
export { unreachableHosts, type UnreachableHost } from './reachability.ts';
export { groupHosts, selectHosts } from './host-patterns.ts';
export { playbookCpuGroup } from './cpu-group.ts';
export type { CpuGroup, CpuGroupOutcome } from './cpu-group.ts';

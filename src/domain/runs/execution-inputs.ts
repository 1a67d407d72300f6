import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunCredential, RunTarget } from '../../runner/index.ts';
import { runCredentials, openProductSecrets, openValues, type SecretBox } from '../secrets/index.ts';
import { targetForRun } from '../targets.ts';
import { resolvePlaybook, productAtRevision, productDefinition, mergeVariables, secretValues } from '../catalog/index.ts';
import type { Claim } from './claim.ts';
import { inventoryVariables } from './inventory-vars.ts';
import { LOADED_RUN_INCLUDE, type LoadedRun } from './status.ts';

/** A claimed run, read once with everything executing and ending it needs. */
export async function loadRunForExecution(prisma: PrismaClient, runId: string): Promise<LoadedRun> {
  return (await prisma.provisioningRun.findUniqueOrThrow({ where: { id: runId }, include: LOADED_RUN_INCLUDE })) as LoadedRun;
}

/** What ansible-playbook gets for a run, secrets opened. */
export interface ExecutionInputs {
  playbookPath: string;
  variables: Record<string, unknown>;
  /** Every opened secret value, for the runner to mask. */
  secrets: string[];
  target: RunTarget | undefined;
  credentials: RunCredential[];
}

/** Throws when the playbook cannot start (it is gone, the target is gone, a value does not open): nothing ran. */
export async function executionInputs(deps: { prisma: PrismaClient; secrets: SecretBox; playbooksDir: string }, run: LoadedRun, claim: Claim): Promise<ExecutionInputs> {
  const playbook = await resolvePlaybook(deps.playbooksDir, run.playbook);
  if ('error' in playbook) throw new Error(`playbook ${run.playbook}: ${playbook.error}`);
  const { variables, secrets } = await playbookVariables(deps, run);
  return {
    playbookPath: playbook.path,
    variables,
    secrets,
    target: targetForRun(claim.target, run.product.targetHosts),
    credentials: await runCredentials(deps.prisma, deps.secrets, run.productId),
  };
}

/** The one extra-vars document a playbook gets (design notes: "Variables handed to a playbook"). */
async function playbookVariables(deps: { prisma: PrismaClient; secrets: SecretBox }, run: LoadedRun): Promise<{ variables: Record<string, unknown>; secrets: string[] }> {
  // Stored secrets are opened here, just before Ansible gets them (the runner masks them in what it prints).
  // A provision, check or re-deploy runs with the variables of its revision (an older one's for a service not upgraded).
  const revised = run.productRevision === null ? run.product : await productAtRevision(deps.prisma, run.product, run.productRevision);
  const definition = openProductSecrets(deps.secrets, productDefinition(revised));
  const requestVariables = (run.service?.variables ?? run.previewVariables ?? {}) as Record<string, unknown>;
  const secretVariables = openValues(deps.secrets, (run.service?.secretVariables ?? run.previewSecretVariables ?? {}) as Record<string, unknown>);
  const product = mergeVariables(definition.variableSchema, definition.defaultVariables, { ...requestVariables, ...secretVariables });
  const { inventory, actionInventory, secrets: itemSecrets } = await inventoryVariables(deps, run, definition.inventoryRequirements);
  const secrets: unknown[] = [...secretValues(definition.variableSchema, product), ...itemSecrets];
  // An action's request variables, its secret ones opened like the service's.
  const actionSecrets = openValues(deps.secrets, (run.actionSecretVariables ?? {}) as Record<string, unknown>);
  secrets.push(...Object.values(actionSecrets));
  const action = run.action === 'ACTION' ? { ...(run.actionVariables as Record<string, unknown> | null), ...actionSecrets } : undefined;
  return {
    variables: {
      provisio: {
        run_id: run.id,
        // A check and a re-deploy run the provision playbook: to it they are a provision; `operation` says which.
        action: run.action === 'CHECK_SYNC' || run.action === 'REDEPLOY' ? 'provision' : run.action.toLowerCase(),
        operation: run.action.toLowerCase(),
        check_mode: run.checkMode,
        ...(run.actionName ? { action_name: run.actionName } : {}),
      },
      ...(action ? { action } : {}),
      ...(actionInventory ? { action_inventory: actionInventory } : {}),
      service: { id: run.service?.id ?? null, customer_ref: run.service?.customerRef ?? run.previewCustomerRef ?? null },
      product,
      inventory,
    },
    secrets: secrets.filter((value) => value !== null && value !== undefined && value !== '').map(String),
  };
}

import { type InventoryDeps, type NewInventoryItem, addInventoryItems, luhnValid } from '../domain/inventory/index.ts';
import { createProduct, type ProductDeps, type ProductInput } from '../domain/catalog/index.ts';

/** Demo controls every example playbook understands, to show the rescue path and long tasks. */
function demoControls(steps: { provision: string[]; deprovision: string[] }) {
  return {
    simulate_failure_at: {
      type: 'string',
      enum: ['', ...steps.provision, ...steps.deprovision],
      default: '',
      description: 'Name of a provision or deprovision step to fail on purpose (demo of block/rescue).',
    },
    simulate_rescue_failure: { type: 'boolean', default: false, description: 'Make the rescue fail too (demo of NEEDS_ATTENTION).' },
    simulate_delay_seconds: { type: 'integer', default: 0, minimum: 0, maximum: 3600, description: 'Add a long provision step (demo of cancel and timeouts).' },
  } as const;
}

/** Every demo action can be made to fail after its change, to show its rescue putting things back. */
const ACTION_DEMO_CONTROL = { simulate_failure: { type: 'boolean', description: 'Fail after the change (demo of the rollback).' } } as const;

export const demoProducts: ProductInput[] = [
  {
    slug: 'mobile-sim-plan',
    name: 'Mobile SIM plan',
    description: 'A SIM card and a phone number, with an HSS subscriber and an APN profile.',
    provisionPlaybook: 'mobile-sim-plan/provision.yml',
    deprovisionPlaybook: 'mobile-sim-plan/deprovision.yml',
    defaultVariables: { apn: 'internet', data_limit_gb: 20, roaming: false },
    variableSchema: {
      type: 'object',
      properties: {
        apn: { type: 'string', enum: ['internet', 'ims', 'iot.m2m'], description: 'Access point name' },
        data_limit_gb: { type: 'integer', minimum: 1, maximum: 1000 },
        roaming: { type: 'boolean' },
        ...demoControls({ provision: ['hss_subscriber', 'pcrf_profile', 'activation'], deprovision: ['deactivation', 'remove_pcrf_profile', 'remove_hss_subscriber'] }),
      },
      required: [],
    },
    inventoryRequirements: [
      { kind: 'SIM', count: 1 },
      { kind: 'PHONE_NUMBER', count: 1 },
    ],
    runTimeoutSeconds: 600,
    actions: [
      {
        name: 'suspend',
        description: 'Bar the subscriber in the HSS (non-payment, lost SIM).',
        playbook: 'mobile-sim-plan/actions.yml',
        from: ['ACTIVE'],
        to: 'SUSPENDED',
        variableSchema: { type: 'object', properties: { reason: { type: 'string', maxLength: 200 }, ...ACTION_DEMO_CONTROL } },
      },
      { name: 'resume', description: 'Lift the bar.', playbook: 'mobile-sim-plan/actions.yml', from: ['SUSPENDED'], to: 'ACTIVE', variableSchema: { type: 'object', properties: { ...ACTION_DEMO_CONTROL } } },
      {
        name: 'top-up',
        description: 'Add data to the allowance.',
        playbook: 'mobile-sim-plan/actions.yml',
        from: ['ACTIVE'],
        partners: true,
        variableSchema: { type: 'object', properties: { data_gb: { type: 'integer', minimum: 1, maximum: 500 }, ...ACTION_DEMO_CONTROL }, required: ['data_gb'] },
      },
    ],
  },
  {
    slug: 'fibre-broadband',
    name: 'Fibre broadband',
    description: 'An ONT/modem registered on the OLT, a RADIUS user with rate limits and a DHCP reservation of an IP block.',
    provisionPlaybook: 'fibre-broadband/provision.yml',
    deprovisionPlaybook: 'fibre-broadband/deprovision.yml',
    defaultVariables: { download_mbps: 500, upload_mbps: 100, vlan: 100 },
    variableSchema: {
      type: 'object',
      properties: {
        download_mbps: { type: 'integer', enum: [100, 300, 500, 1000] },
        upload_mbps: { type: 'integer', minimum: 10, maximum: 1000 },
        vlan: { type: 'integer', minimum: 2, maximum: 4094 },
        ...demoControls({
          provision: ['ont_registration', 'radius_user', 'dhcp_reservation'],
          deprovision: ['remove_dhcp_reservation', 'remove_radius_user', 'remove_ont_registration'],
        }),
      },
      required: [],
    },
    inventoryRequirements: [
      { kind: 'MODEM', count: 1 },
      { kind: 'IP_BLOCK', count: 1 },
    ],
    runTimeoutSeconds: 900,
    actions: [
      {
        name: 'change-speed',
        description: 'Move the line to another speed profile (the service keeps the new speeds).',
        playbook: 'fibre-broadband/actions.yml',
        from: ['ACTIVE'],
        partners: true,
        variableSchema: {
          type: 'object',
          properties: { download_mbps: { type: 'integer', enum: [100, 300, 500, 1000] }, upload_mbps: { type: 'integer', minimum: 10, maximum: 1000 }, ...ACTION_DEMO_CONTROL },
        },
      },
    ],
  },
  {
    slug: 'voip-line',
    name: 'VoIP line',
    description: 'A phone number on the SIP registrar, with optional voicemail.',
    provisionPlaybook: 'voip-line/provision.yml',
    deprovisionPlaybook: 'voip-line/deprovision.yml',
    defaultVariables: { voicemail: true },
    variableSchema: {
      type: 'object',
      properties: {
        caller_id_name: { type: 'string', minLength: 1, maxLength: 64 },
        voicemail: { type: 'boolean' },
        sip_password: { type: 'string', minLength: 12, maxLength: 128, secret: true, description: 'SIP digest password' },
        ...demoControls({ provision: ['sip_registrar', 'voicemail_box'], deprovision: ['remove_voicemail_box', 'remove_sip_registrar'] }),
      },
      required: ['caller_id_name', 'sip_password'],
    },
    inventoryRequirements: [{ kind: 'PHONE_NUMBER', count: 1 }],
    runTimeoutSeconds: 300,
    actions: [
      {
        name: 'add-number',
        description: 'Add a second number to the line (reserved from the pool).',
        playbook: 'voip-line/actions.yml',
        from: ['ACTIVE'],
        variableSchema: { type: 'object', properties: { ...ACTION_DEMO_CONTROL } },
        inventory: { reserve: [{ kind: 'PHONE_NUMBER', count: 1 }] },
      },
      {
        name: 'remove-number',
        description: 'Remove a number that add-number added (it goes back to the pool); the line keeps its own number.',
        playbook: 'voip-line/actions.yml',
        from: ['ACTIVE'],
        variableSchema: {
          type: 'object',
          properties: { number: { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$', description: 'The number to remove (E.164).' }, ...ACTION_DEMO_CONTROL },
          required: ['number'],
        },
        inventory: { release: [{ kind: 'PHONE_NUMBER', variable: 'number', addedOnly: true }] },
      },
    ],
  },
];

/** ICCID with a valid Luhn check digit from its first 19 digits. */
function iccid(body19: string): string {
  for (let check = 0; check <= 9; check++) if (luhnValid(body19 + check)) return body19 + check;
  throw new Error('unreachable: one check digit always fits');
}

export function demoInventory(): NewInventoryItem[] {
  const sims = Array.from({ length: 5 }, (_, i): NewInventoryItem => ({
    kind: 'SIM',
    identifier: iccid(`894900000000000${String(i + 1).padStart(4, '0')}`),
    attributes: {
      imsi: `26201000000${String(i + 1).padStart(4, '0')}`,
      ki: `000102030405060708090A0B0C0D0E${String(i).padStart(2, '0')}`,
      opc: `F0E1D2C3B4A5968778695A4B3C2D1E${String(i).padStart(2, '0')}`,
    },
  }));
  const numbers = Array.from({ length: 8 }, (_, i): NewInventoryItem => ({ kind: 'PHONE_NUMBER', identifier: `+4930555010${i}` }));
  const modems = Array.from({ length: 3 }, (_, i): NewInventoryItem => ({
    kind: 'MODEM',
    identifier: `ONT-DEMO-000${i + 1}`,
    attributes: { mac: `02:00:5e:00:00:0${i + 1}`, model: 'Provisio Demo ONT' },
  }));
  const blocks = Array.from({ length: 4 }, (_, i): NewInventoryItem => ({ kind: 'IP_BLOCK', identifier: `100.64.${i}.0/29` }));
  return [...sims, ...numbers, ...modems, ...blocks];
}

/**
 * Seeds the demo products and a small inventory into an empty database. With `target` (the
 * lab's), the products run against it: their playbooks configure the real elements it describes.
 */
export async function seedDemoData(deps: ProductDeps & InventoryDeps, options: { target?: string | undefined } = {}): Promise<void> {
  // The demo playbooks are checked by the test suite: skip the per-playbook syntax check at first start.
  const unchecked = { ...deps, playbookChecker: undefined };
  for (const product of demoProducts) await createProduct(unchecked, { ...product, target: options.target ?? null });
  await addInventoryItems(deps, demoInventory());
}

import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { InventoryKind } from '#generated/prisma/enums.ts';

/**
 * What each inventory kind accepts. A new kind is one entry here plus a value of the InventoryKind
 * enum in prisma/schema.prisma (and its migration).
 */
export interface InventoryKindDefinition {
  /** Validates and normalises the identifier (ICCID, serial, CIDR, E.164); throws a message on bad input. */
  identifier: z.ZodType<string, string>;
  /** Public attributes, returned by the API. Unknown attributes are kept as they are. */
  attributes: z.ZodType<Record<string, unknown>>;
  /** Attributes that are write-only: stored apart, handed to playbooks, never returned. */
  secretAttributes: z.ZodType<Record<string, unknown>>;
  secretAttributeNames: readonly string[];
  /** The key the playbook sees under `inventory`, e.g. `sim`, `ip_block`. */
  variableName: string;
}

const hex128 = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits (128 bits)').transform((v) => v.toUpperCase());

/** ICCIDs (ITU-T E.118) are 19–20 digits starting 89 with a Luhn check digit. */
const iccid = z
  .string()
  .transform((v) => v.replace(/[\s-]/g, ''))
  .refine((v) => /^89\d{17,18}$/.test(v), 'ICCID must be 19 or 20 digits starting with 89')
  .refine((v) => luhnValid(v), 'ICCID check digit is wrong (Luhn checksum failed)');

const e164 = z
  .string()
  .transform((v) => v.replace(/[\s()-]/g, ''))
  .refine((v) => /^\+[1-9]\d{6,14}$/.test(v), 'must be an E.164 number: + then 7 to 15 digits, no leading 0');

const cidr = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  if (!ipaddr.isValidCIDR(trimmed)) {
    ctx.addIssue({ code: 'custom', message: 'must be a CIDR block such as 100.64.0.0/29 or 2001:db8::/56' });
    return z.NEVER;
  }
  const [address, prefix] = ipaddr.parseCIDR(trimmed);
  const network = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(trimmed)
    : ipaddr.IPv6.networkAddressFromCIDR(trimmed);
  if (network.toString() !== address.toString()) {
    ctx.addIssue({ code: 'custom', message: `host bits are set: the block starts at ${network.toString()}/${prefix}` });
    return z.NEVER;
  }
  return `${network.toString()}/${prefix}`;
});

const serial = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .refine((v) => /^[A-Z0-9][A-Z0-9._-]{3,63}$/.test(v), 'serial must be 4 to 64 letters, digits, dots, dashes or underscores');

const mac = z
  .string()
  .transform((v) => v.trim().toLowerCase().replace(/-/g, ':'))
  .refine((v) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(v), 'MAC address must be six hex octets, e.g. 00:1a:2b:3c:4d:5e');

const noSecrets = z.object({}).strict();

export const inventoryKinds: Record<InventoryKind, InventoryKindDefinition> = {
  SIM: {
    identifier: iccid,
    attributes: z.looseObject({ imsi: z.string().regex(/^\d{14,15}$/, 'IMSI must be 14 or 15 digits') }),
    secretAttributes: z.object({ ki: hex128, opc: hex128 }).partial().strict(),
    secretAttributeNames: ['ki', 'opc'],
    variableName: 'sim',
  },
  MODEM: {
    identifier: serial,
    attributes: z.looseObject({ mac, model: z.string().min(1).max(100) }),
    secretAttributes: noSecrets,
    secretAttributeNames: [],
    variableName: 'modem',
  },
  IP_BLOCK: {
    identifier: cidr,
    attributes: z.looseObject({}),
    secretAttributes: noSecrets,
    secretAttributeNames: [],
    variableName: 'ip_block',
  },
  PHONE_NUMBER: {
    identifier: e164,
    attributes: z.looseObject({}),
    secretAttributes: noSecrets,
    secretAttributeNames: [],
    variableName: 'phone_number',
  },
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

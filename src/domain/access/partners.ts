import type { Partner, PrismaClient } from '#generated/prisma/client.ts';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError, issuesFromZod } from '../errors.ts';

export interface NewPartner {
  slug: string;
  name: string;
  rateLimitPerMinute?: number | null | undefined;
}

const partnerInput = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'slug is 1 to 63 lower-case letters, digits and dashes'),
  name: z.string().trim().min(1).max(200),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).nullish(),
});

export async function createPartner(prisma: PrismaClient, input: NewPartner): Promise<Partner> {
  const parsed = partnerInput.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error.issues, 'input'));
  try {
    return await prisma.partner.create({ data: { ...parsed.data, rateLimitPerMinute: parsed.data.rateLimitPerMinute ?? null } });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ConflictError(`a partner with slug ${input.slug} exists`);
    throw error;
  }
}

/** Grants (or withdraws) products: the partner's keys see and provision only granted ones. */
export async function setProductGrant(prisma: PrismaClient, partnerId: string, productIds: string[], granted: boolean): Promise<Partner> {
  const partner = await prisma.partner.findUnique({ where: { id: partnerId } });
  if (!partner) throw new NotFoundError('Partner', partnerId);
  const ids = [...new Set(productIds)];
  const found = await prisma.product.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const missing = ids.find((id) => !found.some((product) => product.id === id));
  if (missing) throw new NotFoundError('Product', missing);
  if (granted) {
    await prisma.partnerProduct.createMany({ data: ids.map((productId) => ({ partnerId, productId })), skipDuplicates: true });
  } else {
    await prisma.partnerProduct.deleteMany({ where: { partnerId, productId: { in: ids } } });
  }
  return partner;
}

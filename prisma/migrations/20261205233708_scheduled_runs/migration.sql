-- AlterEnum (SCHEDULED before QUEUED, in the order of schema.prisma)
ALTER TYPE "RunStatus" ADD VALUE 'SCHEDULED' BEFORE 'QUEUED';
ALTER TYPE "RunStatus" ADD VALUE 'EXPIRED';

-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "notAfter" TIMESTAMPTZ(3),
ADD COLUMN     "notBefore" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "ProvisioningRun_status_notBefore_idx" ON "ProvisioningRun"("status", "notBefore");

-- CreateEnum
CREATE TYPE "SyncState" AS ENUM ('UNKNOWN', 'IN_SYNC', 'DRIFTED');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "RunAction" ADD VALUE 'CHECK_SYNC';
ALTER TYPE "RunAction" ADD VALUE 'REDEPLOY';

-- AlterEnum
ALTER TYPE "WebhookEvent" ADD VALUE 'SERVICE_DRIFTED';

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "syncCheckedAt" TIMESTAMPTZ(3),
ADD COLUMN     "syncRunId" UUID,
ADD COLUMN     "syncState" "SyncState" NOT NULL DEFAULT 'UNKNOWN';

-- CreateIndex
CREATE INDEX "Service_syncState_idx" ON "Service"("syncState");

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "ProvisioningRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;
-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "bulkOperationId" UUID;

-- CreateTable
CREATE TABLE "BulkOperation" (
    "id" UUID NOT NULL,
    "kind" "RunAction" NOT NULL,
    "selection" JSONB NOT NULL,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "createdByKeyId" UUID,
    "cancelledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BulkOperation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BulkOperation_createdAt_idx" ON "BulkOperation"("createdAt");

-- CreateIndex
CREATE INDEX "ProvisioningRun_bulkOperationId_idx" ON "ProvisioningRun"("bulkOperationId");

-- AddForeignKey
ALTER TABLE "ProvisioningRun" ADD CONSTRAINT "ProvisioningRun_bulkOperationId_fkey" FOREIGN KEY ("bulkOperationId") REFERENCES "BulkOperation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "syncCheckCron" TEXT,
ADD COLUMN     "syncCheckTimeZone" TEXT;

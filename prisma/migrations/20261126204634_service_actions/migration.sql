-- AlterEnum
ALTER TYPE "RunAction" ADD VALUE 'ACTION';

-- AlterEnum
ALTER TYPE "ServiceStatus" ADD VALUE 'SUSPENDED';

-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "actions" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "actionName" TEXT,
ADD COLUMN     "actionSecretVariables" JSONB,
ADD COLUMN     "actionVariables" JSONB,
ADD COLUMN     "idempotencyKey" TEXT,
ADD COLUMN     "serviceStatusBefore" "ServiceStatus";

-- CreateIndex
CREATE UNIQUE INDEX "ProvisioningRun_idempotencyKey_key" ON "ProvisioningRun"("idempotencyKey");

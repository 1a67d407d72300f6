-- CreateEnum
CREATE TYPE "RevisionChoice" AS ENUM ('OWN', 'CURRENT');

-- AlterTable
ALTER TABLE "BulkOperation" ADD COLUMN     "revision" "RevisionChoice" NOT NULL DEFAULT 'OWN';

-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "productRevision" INTEGER;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "productRevision" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "ProductRevision" (
    "productId" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "provisionPlaybook" TEXT NOT NULL,
    "deprovisionPlaybook" TEXT NOT NULL,
    "defaultVariables" JSONB NOT NULL,
    "variableSchema" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductRevision_pkey" PRIMARY KEY ("productId","revision")
);

-- AddForeignKey
ALTER TABLE "ProductRevision" ADD CONSTRAINT "ProductRevision_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every product existing before revisions were kept is at its first revision, as it is now.
INSERT INTO "ProductRevision" ("productId", "revision", "provisionPlaybook", "deprovisionPlaybook", "defaultVariables", "variableSchema", "createdAt")
SELECT "id", 1, "provisionPlaybook", "deprovisionPlaybook", "defaultVariables", "variableSchema", "updatedAt" FROM "Product";

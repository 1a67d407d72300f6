-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('SSH_KEY', 'USERNAME_PASSWORD', 'API_TOKEN', 'VAULT_PASSWORD');

-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "checkReachability" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "targetHosts" TEXT,
ADD COLUMN     "targetId" UUID;

-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "limitKeys" TEXT[],
ADD COLUMN     "targetId" UUID,
ADD COLUMN     "targetName" TEXT,
ADD COLUMN     "targetVersion" INTEGER;

-- CreateTable
CREATE TABLE "Target" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "inventory" JSONB NOT NULL,
    "knownHosts" TEXT NOT NULL DEFAULT '',
    "limits" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Target_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TargetVersion" (
    "targetId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "inventory" JSONB NOT NULL,
    "knownHosts" TEXT NOT NULL DEFAULT '',
    "limits" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TargetVersion_pkey" PRIMARY KEY ("targetId","version")
);

-- CreateTable
CREATE TABLE "Credential" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "username" TEXT,
    "secrets" JSONB NOT NULL DEFAULT '{}',
    "fingerprint" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Credential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductCredential" (
    "productId" UUID NOT NULL,
    "credentialId" UUID NOT NULL,

    CONSTRAINT "ProductCredential_pkey" PRIMARY KEY ("productId","credentialId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Target_name_key" ON "Target"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Credential_name_key" ON "Credential"("name");

-- CreateIndex
CREATE INDEX "ProductCredential_credentialId_idx" ON "ProductCredential"("credentialId");

-- AddForeignKey
ALTER TABLE "Product" ADD CONSTRAINT "Product_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TargetVersion" ADD CONSTRAINT "TargetVersion_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductCredential" ADD CONSTRAINT "ProductCredential_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductCredential" ADD CONSTRAINT "ProductCredential_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

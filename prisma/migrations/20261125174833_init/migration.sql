-- CreateEnum
CREATE TYPE "InventoryKind" AS ENUM ('SIM', 'MODEM', 'IP_BLOCK', 'PHONE_NUMBER');

-- CreateEnum
CREATE TYPE "InventoryStatus" AS ENUM ('AVAILABLE', 'RESERVED', 'IN_USE', 'QUARANTINED', 'RETIRED');

-- CreateEnum
CREATE TYPE "ServiceStatus" AS ENUM ('PROVISIONING', 'ACTIVE', 'DEPROVISIONING', 'DEPROVISIONED', 'FAILED', 'NEEDS_ATTENTION');

-- CreateEnum
CREATE TYPE "RunAction" AS ENUM ('PROVISION', 'DEPROVISION');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELED', 'TIMED_OUT', 'INTERRUPTED');

-- CreateTable
CREATE TABLE "Product" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "provisionPlaybook" TEXT NOT NULL,
    "deprovisionPlaybook" TEXT NOT NULL,
    "defaultVariables" JSONB NOT NULL DEFAULT '{}',
    "variableSchema" JSONB NOT NULL DEFAULT '{"type":"object","properties":{}}',
    "inventoryRequirements" JSONB NOT NULL DEFAULT '[]',
    "runTimeoutSeconds" INTEGER,
    "maxConcurrentRuns" INTEGER,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InventoryItem" (
    "id" UUID NOT NULL,
    "kind" "InventoryKind" NOT NULL,
    "identifier" TEXT NOT NULL,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "secretAttributes" JSONB NOT NULL DEFAULT '{}',
    "status" "InventoryStatus" NOT NULL DEFAULT 'AVAILABLE',
    "statusReason" TEXT,
    "serviceId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "InventoryItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Service" (
    "id" UUID NOT NULL,
    "productId" UUID NOT NULL,
    "customerRef" TEXT NOT NULL,
    "status" "ServiceStatus" NOT NULL DEFAULT 'PROVISIONING',
    "statusReason" TEXT,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "secretVariables" JSONB NOT NULL DEFAULT '{}',
    "outputs" JSONB NOT NULL DEFAULT '{}',
    "idempotencyKey" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Service_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProvisioningRun" (
    "id" UUID NOT NULL,
    "productId" UUID NOT NULL,
    "serviceId" UUID,
    "previewCustomerRef" TEXT,
    "previewVariables" JSONB,
    "previewSecretVariables" JSONB,
    "previewInventoryIds" UUID[],
    "action" "RunAction" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "statusReason" TEXT,
    "playbook" TEXT NOT NULL,
    "checkMode" BOOLEAN NOT NULL DEFAULT false,
    "exitCode" INTEGER,
    "stats" JSONB,
    "okCount" INTEGER NOT NULL DEFAULT 0,
    "changedCount" INTEGER NOT NULL DEFAULT 0,
    "failedCount" INTEGER NOT NULL DEFAULT 0,
    "skippedCount" INTEGER NOT NULL DEFAULT 0,
    "rescuedCount" INTEGER NOT NULL DEFAULT 0,
    "unreachableCount" INTEGER NOT NULL DEFAULT 0,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "log" TEXT NOT NULL DEFAULT '',
    "workerId" TEXT,
    "pid" INTEGER,
    "compensatesRunId" UUID,
    "retryOfRunId" UUID,
    "timeoutSeconds" INTEGER NOT NULL,
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "eventsPrunedAt" TIMESTAMPTZ(3),
    "queuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ProvisioningRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "runId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "task" TEXT,
    "host" TEXT,
    "section" TEXT,
    "changed" BOOLEAN,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("runId","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "Product_slug_key" ON "Product"("slug");

-- CreateIndex
CREATE INDEX "InventoryItem_kind_status_idx" ON "InventoryItem"("kind", "status");

-- CreateIndex
CREATE INDEX "InventoryItem_serviceId_idx" ON "InventoryItem"("serviceId");

-- CreateIndex
CREATE UNIQUE INDEX "InventoryItem_kind_identifier_key" ON "InventoryItem"("kind", "identifier");

-- CreateIndex
CREATE UNIQUE INDEX "Service_idempotencyKey_key" ON "Service"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Service_customerRef_idx" ON "Service"("customerRef");

-- CreateIndex
CREATE INDEX "Service_status_idx" ON "Service"("status");

-- CreateIndex
CREATE INDEX "ProvisioningRun_status_queuedAt_idx" ON "ProvisioningRun"("status", "queuedAt");

-- CreateIndex
CREATE INDEX "ProvisioningRun_serviceId_queuedAt_idx" ON "ProvisioningRun"("serviceId", "queuedAt");

-- CreateIndex
CREATE INDEX "ProvisioningRun_productId_status_idx" ON "ProvisioningRun"("productId", "status");

-- AddForeignKey
ALTER TABLE "InventoryItem" ADD CONSTRAINT "InventoryItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRun" ADD CONSTRAINT "ProvisioningRun_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRun" ADD CONSTRAINT "ProvisioningRun_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRun" ADD CONSTRAINT "ProvisioningRun_compensatesRunId_fkey" FOREIGN KEY ("compensatesRunId") REFERENCES "ProvisioningRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRun" ADD CONSTRAINT "ProvisioningRun_retryOfRunId_fkey" FOREIGN KEY ("retryOfRunId") REFERENCES "ProvisioningRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunEvent" ADD CONSTRAINT "RunEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ProvisioningRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "ServiceOrderState" AS ENUM ('acknowledged', 'rejected', 'inProgress', 'completed', 'failed', 'partial', 'assessingCancellation', 'pendingCancellation', 'cancelled');

-- CreateEnum
CREATE TYPE "ServiceOrderItemState" AS ENUM ('acknowledged', 'rejected', 'inProgress', 'completed', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled');

-- CreateEnum
CREATE TYPE "ServiceOrderItemAction" AS ENUM ('add', 'modify', 'delete', 'noChange');

-- CreateTable
CREATE TABLE "ServiceOrder" (
    "id" UUID NOT NULL,
    "partnerId" UUID,
    "scope" TEXT NOT NULL,
    "externalId" TEXT,
    "requestDigest" TEXT NOT NULL,
    "state" "ServiceOrderState" NOT NULL DEFAULT 'acknowledged',
    "document" JSONB NOT NULL DEFAULT '{}',
    "createdByKeyId" UUID,
    "orderDate" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startDate" TIMESTAMPTZ(3),
    "completionDate" TIMESTAMPTZ(3),
    "cancellationDate" TIMESTAMPTZ(3),
    "cancellationReason" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceOrderItem" (
    "id" UUID NOT NULL,
    "orderId" UUID NOT NULL,
    "itemId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "action" "ServiceOrderItemAction" NOT NULL,
    "state" "ServiceOrderItemState" NOT NULL DEFAULT 'acknowledged',
    "productId" UUID,
    "serviceId" UUID,
    "customerRef" TEXT,
    "actionName" TEXT,
    "runId" UUID,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "secretVariables" JSONB NOT NULL DEFAULT '{}',
    "dependsOn" TEXT[],
    "reason" TEXT,
    "document" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceOrderItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ServiceOrder_partnerId_orderDate_idx" ON "ServiceOrder"("partnerId", "orderDate");

-- CreateIndex
CREATE INDEX "ServiceOrder_state_idx" ON "ServiceOrder"("state");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceOrder_scope_externalId_key" ON "ServiceOrder"("scope", "externalId");

-- CreateIndex
CREATE INDEX "ServiceOrderItem_runId_idx" ON "ServiceOrderItem"("runId");

-- CreateIndex
CREATE INDEX "ServiceOrderItem_serviceId_idx" ON "ServiceOrderItem"("serviceId");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceOrderItem_orderId_itemId_key" ON "ServiceOrderItem"("orderId", "itemId");

-- AddForeignKey
ALTER TABLE "ServiceOrder" ADD CONSTRAINT "ServiceOrder_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOrderItem" ADD CONSTRAINT "ServiceOrderItem_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOrderItem" ADD CONSTRAINT "ServiceOrderItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

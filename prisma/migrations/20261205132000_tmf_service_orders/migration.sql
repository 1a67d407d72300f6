-- CreateEnum
CREATE TYPE "ServiceOrderState" AS ENUM ('acknowledged', 'rejected', 'inProgress', 'completed', 'failed', 'partial', 'assessingCancellation', 'pendingCancellation', 'cancelled');

-- CreateEnum
CREATE TYPE "ServiceOrderItemState" AS ENUM ('acknowledged', 'rejected', 'inProgress', 'completed', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled');

-- CreateEnum
CREATE TYPE "ServiceOrderItemAction" AS ENUM ('add', 'modify', 'delete', 'noChange');

-- CreateEnum
CREATE TYPE "CancellationState" AS ENUM ('accepted', 'inProgress', 'done', 'terminatedWithError');

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

-- CreateTable
CREATE TABLE "ServiceOrderCancellation" (
    "id" UUID NOT NULL,
    "orderId" UUID NOT NULL,
    "partnerId" UUID,
    "state" "CancellationState" NOT NULL DEFAULT 'accepted',
    "cancellationReason" TEXT,
    "requestedCancellationDate" TIMESTAMPTZ(3),
    "effectiveCancellationDate" TIMESTAMPTZ(3),
    "completionMessage" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceOrderCancellation_pkey" PRIMARY KEY ("id")
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

-- CreateIndex
CREATE INDEX "ServiceOrderCancellation_orderId_idx" ON "ServiceOrderCancellation"("orderId");

-- CreateIndex
CREATE INDEX "ServiceOrderCancellation_partnerId_createdAt_idx" ON "ServiceOrderCancellation"("partnerId", "createdAt");

-- AddForeignKey
ALTER TABLE "ServiceOrder" ADD CONSTRAINT "ServiceOrder_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOrderItem" ADD CONSTRAINT "ServiceOrderItem_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOrderItem" ADD CONSTRAINT "ServiceOrderItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOrderCancellation" ADD CONSTRAINT "ServiceOrderCancellation_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterEnum
ALTER TYPE "WebhookEvent" ADD VALUE 'TMF_EVENT';

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "notifiedStatus" "ServiceStatus";

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "hubEventType" TEXT;

-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "hubApi" TEXT,
ADD COLUMN     "hubQuery" TEXT,
ADD COLUMN     "partnerId" UUID;

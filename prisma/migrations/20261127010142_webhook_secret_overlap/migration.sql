-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "previousSecretExpiresAt" TIMESTAMPTZ(3);

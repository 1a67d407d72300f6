-- AlterTable
ALTER TABLE "Worker" ADD COLUMN     "hostIdentity" TEXT,
ADD COLUMN     "processStartedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "ProvisioningRun" ADD COLUMN     "currentHost" TEXT,
ADD COLUMN     "currentTask" TEXT,
ADD COLUMN     "tasksStarted" INTEGER NOT NULL DEFAULT 0;

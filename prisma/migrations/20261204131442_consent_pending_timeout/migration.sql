-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "consentFailure" TEXT,
ADD COLUMN     "consentPendingSince" TIMESTAMP(3);

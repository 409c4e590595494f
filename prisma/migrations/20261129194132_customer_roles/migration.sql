-- AlterTable
ALTER TABLE "PortalSession" ADD COLUMN     "isTenantAdmin" BOOLEAN NOT NULL DEFAULT false;

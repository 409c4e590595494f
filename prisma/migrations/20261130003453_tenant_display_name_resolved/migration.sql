-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "displayNameResolvedAt" TIMESTAMP(3);

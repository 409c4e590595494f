-- AlterTable
ALTER TABLE "CheckStep" ADD COLUMN     "vendorFault" BOOLEAN NOT NULL DEFAULT false;

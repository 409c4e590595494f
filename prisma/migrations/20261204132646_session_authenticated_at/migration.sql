-- AlterTable
ALTER TABLE "PortalSession" ADD COLUMN     "authenticatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Sessions from before: their sign-in is the last authentication known (not the time of this migration).
UPDATE "PortalSession" SET "authenticatedAt" = "createdAt";

-- AlterTable
ALTER TABLE "CheckStep" ADD COLUMN     "diagnosis" TEXT;

-- AlterTable
ALTER TABLE "ConnectionCheck" ADD COLUMN     "currentStep" TEXT,
ADD COLUMN     "waitingUntil" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "applicationUserId" UUID;

-- The portal's own codes move out of errorCode (Microsoft's codes only, shown to customers) into diagnosis.
UPDATE "CheckStep" SET "diagnosis" = substring("errorCode" from 8), "errorCode" = NULL WHERE "errorCode" LIKE 'portal.%';

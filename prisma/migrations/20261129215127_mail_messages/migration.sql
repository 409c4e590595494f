-- CreateEnum
CREATE TYPE "MailStatus" AS ENUM ('QUEUED', 'SENT', 'FAILED');

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "emailAlertsOff" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "MailMessage" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "kind" TEXT NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" "MailStatus" NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "MailMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MailMessage_createdAt_idx" ON "MailMessage"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "MailMessage_tenantId_createdAt_idx" ON "MailMessage"("tenantId", "createdAt" DESC);

-- CreateTable
CREATE TABLE "CredentialNotice" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CredentialNotice_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "CredentialNotice_credentialId_createdAt_idx" ON "CredentialNotice"("credentialId", "createdAt" DESC);

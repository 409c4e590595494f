-- CreateTable
CREATE TABLE "AlertRecipient" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "userObjectId" UUID NOT NULL,
    "name" TEXT,
    "address" TEXT NOT NULL,
    "subscribed" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertRecipient_tenantId_userObjectId_key" ON "AlertRecipient"("tenantId", "userObjectId");

-- AddForeignKey
ALTER TABLE "AlertRecipient" ADD CONSTRAINT "AlertRecipient_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "RateLimitHit" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "bucket" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RateLimitHit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RateLimitHit_tenantId_bucket_at_idx" ON "RateLimitHit"("tenantId", "bucket", "at");

-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "chatKey" TEXT NOT NULL,
ADD COLUMN     "lockedUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Outbox_chatKey_status_createdAt_idx" ON "Outbox"("chatKey", "status", "createdAt");


-- CreateEnum
CREATE TYPE "InboundStatus" AS ENUM ('pending', 'done', 'rejected', 'failed');

-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "sendingAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "platformMessageId" TEXT NOT NULL,
    "chatKey" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "InboundStatus" NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "conversationId" UUID,
    "outcome" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_seq_key" ON "InboundEvent"("seq");

-- CreateIndex
CREATE INDEX "InboundEvent_status_seq_idx" ON "InboundEvent"("status", "seq");

-- CreateIndex
CREATE INDEX "InboundEvent_chatKey_status_seq_idx" ON "InboundEvent"("chatKey", "status", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_channel_platformMessageId_key" ON "InboundEvent"("channel", "platformMessageId");


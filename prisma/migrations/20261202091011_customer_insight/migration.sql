-- CreateEnum
CREATE TYPE "FeedbackKind" AS ENUM ('answer', 'csat');

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "forgottenAt" TIMESTAMP(3),
ADD COLUMN     "mergedIntoId" UUID;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "csatAskedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Feedback" ADD COLUMN     "kind" "FeedbackKind" NOT NULL DEFAULT 'answer';

-- CreateTable
CREATE TABLE "CustomerLink" (
    "id" UUID NOT NULL,
    "fromCustomerId" UUID NOT NULL,
    "intoCustomerId" UUID NOT NULL,
    "identityIds" TEXT[],
    "conversationIds" TEXT[],
    "by" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "undoneAt" TIMESTAMP(3),

    CONSTRAINT "CustomerLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerLink_fromCustomerId_idx" ON "CustomerLink"("fromCustomerId");

-- CreateIndex
CREATE INDEX "CustomerLink_intoCustomerId_idx" ON "CustomerLink"("intoCustomerId");


-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_seq_key" ON "Outbox"("seq");


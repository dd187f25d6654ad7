-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('text', 'action', 'note');

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "kind" "MessageKind" NOT NULL DEFAULT 'text';


-- Button presses stored before this migration: their text began "[pressed" and their platform id "action:".
UPDATE "Message" SET "kind" = 'action' WHERE "platformMessageId" LIKE 'action:%' AND "text" LIKE '[pressed%';

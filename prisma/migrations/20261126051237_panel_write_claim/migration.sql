-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN "writeOutcome" TEXT;
ALTER TABLE "ApprovalRequest" ADD COLUMN "writingSince" DATETIME;

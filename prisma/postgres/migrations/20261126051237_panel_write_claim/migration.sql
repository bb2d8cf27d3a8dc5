-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN     "writeOutcome" TEXT,
ADD COLUMN     "writingSince" TIMESTAMP(3);

export * from "./schema";
export * from "./open-database";
export { applyMigrations } from "./apply-migrations";
export * from "./snapshot";
export { prepareOnce } from "./prepare-once";
export { createGroupCommitter, groupCommitterFor, type GroupCommitter, type GroupCommitOptions } from "./group-commit";
export { databaseStampReader, sameStamp, type DatabaseStamp } from "./database-stamp";

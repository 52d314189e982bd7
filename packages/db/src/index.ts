export * from "./schema";
export * from "./open-database";
export { applyMigrations } from "./apply-migrations";
export * from "./snapshot";
export { prepareOnce } from "./prepare-once";
export { immediateTransaction, type Connection } from "./immediate-transaction";
export { named, prepareNamed } from "./named-statement";
export { createGroupCommitter, groupCommitterFor, type GroupCommitter, type GroupCommitOptions } from "./group-commit";
export { dataVersionReader, databaseStampReader, sameStamp, type DatabaseStamp } from "./database-stamp";

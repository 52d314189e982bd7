import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Context } from "hono";
import type { z } from "zod";
import { type restoredResponseSchema, snapshotMediaType } from "@foundry-emulator/contract";
import { currentSchemaVersion, prepareSnapshot, restoreSnapshot, SnapshotError, writeSnapshot } from "@foundry-emulator/db";
import { FoundryError, foundryErrors, readBoundedBody, type ServiceBindings } from "@foundry-emulator/http";
import type { ControlPlaneDependencies } from "./control-plane-dependencies";

const temporaryDirectory = () => mkdtemp(join(tmpdir(), "foundry-emulator-snapshot-"));

/** `foundry-emulator-20260102T030405Z.db` */
function snapshotFileName(at: number): string {
  return `foundry-emulator-${new Date(at)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}.db`;
}

/**
 * POST /_emulate/snapshot: a consistent copy of the database, taken while the emulator runs
 * (SQLite's online backup), sent as a file download. The temporary copy is gone once sent.
 */
export function snapshotHandler({ platform }: ControlPlaneDependencies) {
  return async (context: Context<ServiceBindings>) => {
    const directory = await temporaryDirectory();
    const removeDirectory = () => rm(directory, { recursive: true, force: true }).catch(() => undefined);
    let stream: Readable;
    let size: number;
    try {
      const path = join(directory, "snapshot.db");
      await writeSnapshot(platform.database.$client, path);
      const handle = await open(path, "r");
      size = (await handle.stat()).size;
      stream = handle.createReadStream();
    } catch (error) {
      await removeDirectory();
      throw error;
    }
    // The open handle keeps the bytes readable; the file itself goes now (or, where an open file
    // cannot be removed, once the stream is closed — sent, or abandoned by the client).
    await removeDirectory();
    stream.once("close", () => void removeDirectory());
    return context.body(Readable.toWeb(stream) as ReadableStream<Uint8Array>, 200, {
      "Content-Type": snapshotMediaType,
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${snapshotFileName(platform.now())}"`,
      "Cache-Control": "no-store",
      "X-Foundry-Emulator-Schema": currentSchemaVersion(),
    });
  };
}

/** Streams the request body into a file, refusing it (413) past `maxBytes`. Returns its size. */
async function receiveBody(context: Context<ServiceBindings>, path: string, maxBytes: number): Promise<number> {
  const tooLarge = () => {
    // The rest of the upload is not read: do not leave it in a socket the client would reuse.
    context.header("Connection", "close");
    return new FoundryError(
      "REQUEST_ENTITY_TOO_LARGE",
      "Conjure:RequestEntityTooLarge",
      { maxBytes },
      `The snapshot is larger than ${maxBytes} bytes (FOUNDRY_MAX_SNAPSHOT_BYTES).`,
    );
  };
  const handle = await open(path, "w");
  try {
    return await readBoundedBody(context.req.raw, maxBytes, tooLarge, async (chunk) => {
      await handle.write(chunk);
    });
  } finally {
    await handle.close();
  }
}

/**
 * POST /_emulate/restore: replaces the emulator's state with a snapshot's, atomically. The upload
 * is validated (SQLite, intact, this emulator's, not from a newer build) and migrated on a private
 * copy before anything changes; then one transaction on the live connection swaps the content, so
 * every process sharing the database sees the old state or the new one. The signing key comes with
 * the snapshot (its tokens stay valid; every process picks the key up on its next token).
 */
export function restoreHandler({ platform }: ControlPlaneDependencies) {
  const maxBytes = platform.environment.FOUNDRY_MAX_SNAPSHOT_BYTES;
  return async (context: Context<ServiceBindings>) => {
    const directory = await temporaryDirectory();
    try {
      const path = join(directory, "upload.db");
      const size = await receiveBody(context, path, maxBytes);
      if (size === 0)
        throw foundryErrors.invalidArgument("InvalidSnapshot", { reason: "empty body" }, "The body is empty: send a snapshot file (POST /_emulate/snapshot makes one).");
      const prepared = prepareSnapshot(path);
      const summary = restoreSnapshot(platform.database.$client, prepared);
      // This process follows at once; the others on their next token.
      await platform.signingKey.refresh?.();
      const body: z.infer<typeof restoredResponseSchema> = {
        status: "restored",
        schemaVersion: prepared.schemaVersion,
        migrationsApplied: prepared.migrationsApplied,
        ...summary,
      };
      return context.json(body);
    } catch (error) {
      if (error instanceof SnapshotError) {
        throw error.problem === "newer-schema"
          ? foundryErrors.conflict("SnapshotSchemaTooNew", error.details, `${error.message} Nothing was changed.`)
          : foundryErrors.invalidArgument("InvalidSnapshot", { reason: error.message, ...error.details }, `${error.message} Nothing was changed.`);
      }
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")) {
        // The snapshot's rows break a constraint of this schema: the transaction rolled back.
        throw foundryErrors.invalidArgument(
          "InvalidSnapshot",
          { reason: (error as Error).message },
          `The snapshot's rows do not fit this schema: ${(error as Error).message}. Nothing was changed.`,
        );
      }
      throw error;
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  };
}

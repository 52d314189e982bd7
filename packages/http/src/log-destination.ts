import { writeSync } from "node:fs";
import type { DestinationStream } from "pino";

const maxPendingBytes = 16 * 1024 * 1024;

/**
 * Where the logger's lines go: a file descriptor (stdout), written once per event-loop turn.
 * Pino formats each line; the lines of one turn leave in one write(2), instead of pino's default
 * of one asynchronous write per batch through libuv's thread pool, whose hand-offs cost more than
 * a request log line itself under load. A full non-blocking pipe (EAGAIN) keeps the lines for a
 * retry a few milliseconds later; beyond 16 MiB waiting, new lines are dropped rather than the
 * process growing without bound; at exit whatever waits is written.
 */
export function oncePerTurnDestination(fd = 1): DestinationStream & { flush(done?: () => void): void } {
  let pending = "";
  let unwritten: Buffer | undefined; // the rest of a write a full pipe cut short
  let scheduled = false;
  let dropped = 0;

  function flush(): void {
    scheduled = false;
    if (dropped > 0) {
      pending += `${JSON.stringify({ level: "warn", time: new Date().toISOString(), msg: "log lines dropped: the output did not keep up", dropped })}\n`;
      dropped = 0;
    }
    const text = pending;
    let bytes = unwritten;
    let textTaken = text === "";
    pending = "";
    unwritten = undefined;
    try {
      // The usual case, text straight to the fd (no Buffer of its own); bytes only after a short write.
      if (!textTaken && !bytes) {
        const written = writeSync(fd, text);
        textTaken = true;
        if (written < Buffer.byteLength(text)) bytes = Buffer.from(text).subarray(written);
      } else if (!textTaken) {
        bytes = Buffer.concat([bytes!, Buffer.from(text)]);
        textTaken = true;
      }
      while (bytes && bytes.length > 0) bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return; // a closed stdout: nowhere to log to
      unwritten = textTaken ? bytes : Buffer.from(text);
      scheduled = true;
      setTimeout(flush, 5).unref();
    }
  }

  process.once("exit", flush);
  return {
    write(line: string) {
      if (pending.length + (unwritten?.length ?? 0) > maxPendingBytes) {
        dropped += 1;
        return;
      }
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    // pino's logger.flush(callback) lands here.
    flush(done?: () => void) {
      flush();
      done?.();
    },
  };
}

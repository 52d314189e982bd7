import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { oncePerTurnDestination } from "./log-destination";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Reads a non-blocking pipe until `length` bytes came (or 5 s passed), as the destination retries. */
async function readFromPipe(reader: number, length: number): Promise<string> {
  const received: Buffer[] = [];
  const chunk = Buffer.alloc(65536);
  const deadline = Date.now() + 5000;
  let total = 0;
  while (total < length && Date.now() < deadline) {
    try {
      const read = readSync(reader, chunk);
      received.push(Buffer.from(chunk.subarray(0, read)));
      total += read;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return Buffer.concat(received).toString();
}

describe("oncePerTurnDestination", () => {
  it("writes the lines of a turn together, in order, at the end of the turn", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "log-destination-")), "out.log");
    const fd = openSync(path, "w");
    const destination = oncePerTurnDestination(fd);
    destination.write("one\n");
    destination.write("two\n");
    expect(readFileSync(path, "utf8")).toBe("");
    await nextTurn();
    expect(readFileSync(path, "utf8")).toBe("one\ntwo\n");
    destination.write("three ✓\n");
    destination.flush();
    expect(readFileSync(path, "utf8")).toBe("one\ntwo\nthree ✓\n");
    closeSync(fd);
  });

  it("keeps lines when the pipe is already full at the first write", async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), "log-destination-")), "pipe");
    execFileSync("mkfifo", [fifo]);
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const filler = Buffer.alloc(4096, "-");
    let prefilled = 0;
    for (;;) {
      try {
        prefilled += writeSync(writer, filler);
      } catch {
        break; // EAGAIN: the pipe is full
      }
    }
    const destination = oncePerTurnDestination(writer);
    destination.write("after the filler\n");
    await nextTurn(); // this write meets a full pipe
    const expected = `${"-".repeat(prefilled)}after the filler\n`;
    expect(await readFromPipe(reader, expected.length)).toBe(expected);
    closeSync(reader);
    closeSync(writer);
  });

  it("keeps what a full pipe refused and writes it once the reader catches up", async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), "log-destination-")), "pipe");
    execFileSync("mkfifo", [fifo]);
    // O_RDWR opens a FIFO without waiting for a reader; O_NONBLOCK makes a full pipe answer EAGAIN.
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const destination = oncePerTurnDestination(writer);
    const line = `${"x".repeat(1023)}\n`;
    const lines = 200; // 200 KiB: more than a pipe holds (64 KiB)
    for (let index = 0; index < lines; index += 1) destination.write(line);
    await nextTurn();
    expect(await readFromPipe(reader, lines * line.length)).toBe(line.repeat(lines));
    closeSync(reader);
    closeSync(writer);
  });
});

/**
 * The little DER (ITU-T X.690) an X.509 certificate needs, written and read with Buffers. The
 * emulator issues two kinds of certificate (packages/tls/src/generate-certificates.ts); encoding
 * them here keeps a general ASN.1 library (node-forge: some 600 KB of code, about 2 MiB of heap once
 * loaded) out of every process, most of which never issue a certificate.
 */

/** Tag, length, contents. */
export function element(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOf(body.length), body]);
}

function lengthOf(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes = unsignedBytes(length);
  return Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
}

/** Big-endian, in as few bytes as hold it (at least one). */
function unsignedBytes(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return Buffer.from(bytes);
}

export const sequence = (...items: Buffer[]) => element(0x30, ...items);
export const set = (...items: Buffer[]) => element(0x31, ...items);
export const boolean = (value: boolean) => element(0x01, Buffer.from([value ? 0xff : 0x00]));
export const nullValue = () => element(0x05);
export const octetString = (bytes: Buffer) => element(0x04, bytes);
export const utf8String = (text: string) => element(0x0c, Buffer.from(text, "utf8"));
/** `[n] EXPLICIT`: a constructed, context-specific wrapper. */
export const explicit = (tagNumber: number, content: Buffer) => element(0xa0 | tagNumber, content);
/** `[n] IMPLICIT` of a primitive type: its contents under a context-specific tag. */
export const implicit = (tagNumber: number, contents: Buffer) => element(0x80 | tagNumber, contents);

/** A non-negative INTEGER: no redundant leading zero byte, and a 0x00 first when the high bit is set. */
export function integer(value: number | Buffer): Buffer {
  let bytes = typeof value === "number" ? unsignedBytes(value) : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  return element(0x02, bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) groups.unshift((high & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return element(0x06, Buffer.from(bytes));
}

/** A BIT STRING of whole bytes (a key, a signature). */
export const bitString = (bytes: Buffer, unusedBits = 0) => element(0x03, Buffer.from([unusedBits]), bytes);

/** A named-bit list (KeyUsage): bit 0 is the high bit of the first byte; DER drops trailing zero bits. */
export function namedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  return bitString(bytes, 7 - (highest % 8));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after; whole seconds, UTC. */
export function time(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return date.getUTCFullYear() < 2050 ? element(0x17, Buffer.from(text.slice(2), "ascii")) : element(0x18, Buffer.from(text, "ascii"));
}

/** An IPv4 or IPv6 address as its 4 or 16 bytes (a SubjectAltName iPAddress). */
export function addressBytes(address: string): Buffer {
  if (!address.includes(":")) return Buffer.from(address.split(".").map(Number));
  // IPv6: a trailing dotted quad is two groups; "::" stands for as many zero groups as are missing.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}` : address;
  const [head, tail] = text.split("::") as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const before = groups(head);
  const after = groups(tail);
  const all = tail === undefined ? before : [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => {
    bytes.writeUInt16BE(group, index * 2);
  });
  return bytes;
}

export interface DerElement {
  tag: number;
  /** The whole element, header included. */
  bytes: Buffer;
  contents: Buffer;
}

/** The elements directly inside `contents` (the contents of a SEQUENCE or SET). */
export function childrenOf(contents: Buffer): DerElement[] {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < contents.length) {
    const tag = contents[offset]!;
    let length = contents[offset + 1]!;
    let header = 2;
    if (length >= 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let index = 0; index < count; index += 1) length = length * 256 + contents[offset + 2 + index]!;
      header += count;
    }
    const end = offset + header + length;
    if (end > contents.length) throw new Error("truncated DER element");
    children.push({ tag, bytes: contents.subarray(offset, end), contents: contents.subarray(offset + header, end) });
    offset = end;
  }
  return children;
}

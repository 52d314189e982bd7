import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { addressBytes, childrenOf, integer, namedBits, objectIdentifier, time } from "./der";
import { generateCertificateAuthority, generateServerCertificate } from "./generate-certificates";

describe("der", () => {
  it("encodes the values a certificate holds as X.690 writes them", () => {
    expect(integer(0).toString("hex")).toBe("020100");
    expect(integer(128).toString("hex")).toBe("02020080");
    expect(integer(Buffer.from([0, 0, 0x7f])).toString("hex")).toBe("02017f");
    expect(objectIdentifier("1.2.840.113549.1.1.11").toString("hex")).toBe("06092a864886f70d01010b");
    // KeyUsage: keyCertSign (5) and cRLSign (6) leave one unused bit; digitalSignature (0) and keyEncipherment (2) five.
    expect(namedBits([5, 6]).toString("hex")).toBe("03020106");
    expect(namedBits([0, 2]).toString("hex")).toBe("030205a0");
    expect(time(new Date("2049-12-31T23:59:59.999Z")).toString("ascii", 2)).toBe("491231235959Z");
    expect(time(new Date("2050-01-01T00:00:00Z")).toString("ascii", 2)).toBe("20500101000000Z");
  });

  it("writes IPv4 and IPv6 addresses as their bytes", () => {
    expect(addressBytes("127.0.0.1").toString("hex")).toBe("7f000001");
    expect(addressBytes("::1").toString("hex")).toBe("00000000000000000000000000000001");
    expect(addressBytes("fe80::1:2").toString("hex")).toBe("fe800000000000000000000000010002");
    expect(addressBytes("::ffff:10.0.0.1").toString("hex")).toBe("00000000000000000000ffff0a000001");
    expect(addressBytes("1:2:3:4:5:6:7:8").toString("hex")).toBe("00010002000300040005000600070008");
  });

  it("reads back the elements of a long (multi-byte length) sequence", () => {
    const certificate = new X509Certificate(generateCertificateAuthority().certificatePem);
    const [outer] = childrenOf(certificate.raw);
    expect(outer!.bytes.length).toBe(certificate.raw.length);
    expect(childrenOf(outer!.contents).map((child) => child.tag)).toEqual([0x30, 0x30, 0x03]);
  });
});

describe("generated certificates", () => {
  const now = Date.parse("2030-06-01T12:00:00Z");
  const authority = generateCertificateAuthority(now);
  const names = ["localhost", "127.0.0.1", "::1", "gateway", "fd00::5"];
  const server = generateServerCertificate(authority, names, now);
  const ca = new X509Certificate(authority.certificatePem);
  const leaf = new X509Certificate(server.certificatePem);

  it("chain: a self-signed CA, and a server certificate it signed", () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.issuer).toBe(ca.subject);
    expect(ca.subject).toBe("CN=foundry-emulator local CA\nO=foundry-emulator");
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("is valid for each name and address, and for no other", () => {
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkHost("gateway")).toBe("gateway");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBe("::1");
    expect(leaf.checkIP("fd00:0:0:0:0:0:0:5")).toBe("fd00:0:0:0:0:0:0:5");
    expect(leaf.checkHost("example.com")).toBeUndefined();
    expect(leaf.checkIP("10.0.0.1")).toBeUndefined();
  });

  it("back-dates by a day and lasts its lifetime, in whole seconds", () => {
    expect(new Date(leaf.validFrom).getTime()).toBe(now - 24 * 3600 * 1000);
    expect(new Date(leaf.validTo).getTime()).toBe(server.notAfter);
    expect(server.notAfter).toBe(now + 2 * 365 * 24 * 3600 * 1000);
    expect(new Date(ca.validTo).getTime()).toBe(authority.notAfter);
  });
});

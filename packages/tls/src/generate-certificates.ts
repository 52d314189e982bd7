import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import * as der from "./der";

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  notAfter: number;
}

const day = 24 * 3600 * 1000;
/** The authority outlives any sensible emulator data directory. */
export const certificateAuthorityLifetimeMs = 10 * 365 * day;
/** Server certificates are re-issued (by the same authority) when they come close to expiry. */
export const serverCertificateLifetimeMs = 2 * 365 * day;

/** An RSA key from Node's crypto (native, fast). */
function generateRsaKey() {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

/** A positive, non-zero 128-bit serial number (the high bit cleared so DER keeps it positive). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

const oids = {
  sha256WithRsaEncryption: "1.2.840.113549.1.1.11",
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
const keyUsage = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

/** A distinguished name: one attribute per RDN, in order, as UTF8String (RFC 5280 §4.1.2.6). */
function distinguishedName(attributes: ReadonlyArray<readonly [oid: string, value: string]>): Buffer {
  return der.sequence(...attributes.map(([oid, value]) => der.set(der.sequence(der.objectIdentifier(oid), der.utf8String(value)))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** RFC 5280 §4.2.1.2, method 1: the SHA-1 of the RSAPublicKey (the subjectPublicKey BIT STRING's contents). */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash("sha1")
    .update(createPublicKey({ key: spki, format: "der", type: "spki" }).export({ format: "der", type: "pkcs1" }))
    .digest();
}

const signatureAlgorithm = () => der.sequence(der.objectIdentifier(oids.sha256WithRsaEncryption), der.nullValue());

interface CertificateFields {
  subject: Buffer;
  issuer: Buffer;
  spki: Buffer;
  extensions: Buffer[];
  now: number;
  lifetimeMs: number;
  /** The issuer's private key (PEM), which signs the certificate. */
  signingKeyPem: string;
}

/** An X.509 v3 certificate, signed with SHA-256 and RSA (PKCS #1 v1.5), as PEM. */
function issue({ subject, issuer, spki, extensions, now, lifetimeMs, signingKeyPem }: CertificateFields) {
  // Back-dated a little so a skewed clock (a container's) does not reject a fresh certificate.
  const notBefore = new Date(Math.floor((now - day) / 1000) * 1000);
  const notAfter = new Date(Math.floor((now + lifetimeMs) / 1000) * 1000);
  const toBeSigned = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    der.integer(serialNumber()),
    signatureAlgorithm(),
    issuer,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign("sha256", toBeSigned, signingKeyPem);
  const certificate = der.sequence(toBeSigned, signatureAlgorithm(), der.bitString(signature));
  const base64 = certificate.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return { certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`, notAfter: notAfter.getTime() };
}

const authorityName = distinguishedName([
  [oids.commonName, "foundry-emulator local CA"],
  [oids.organizationName, "foundry-emulator"],
]);

/**
 * A self-signed certificate authority, with the extensions strict verifiers (OpenSSL 3 with
 * X509_STRICT, as Python 3.13's default context uses) require: critical basic constraints, key
 * usage, and a subject key identifier.
 */
export function generateCertificateAuthority(now: number = Date.now()): IssuedCertificate {
  const key = generateRsaKey();
  const { certificatePem, notAfter } = issue({
    subject: authorityName,
    issuer: authorityName,
    spki: key.publicKey,
    extensions: [
      extension(oids.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0))), // cA, pathLenConstraint 0
      extension(oids.keyUsage, true, der.namedBits([keyUsage.keyCertSign, keyUsage.cRLSign])),
      extension(oids.subjectKeyIdentifier, false, der.octetString(keyIdentifier(key.publicKey))),
    ],
    now,
    lifetimeMs: certificateAuthorityLifetimeMs,
    signingKeyPem: key.privateKey,
  });
  return { certificatePem, privateKeyPem: key.privateKey, notAfter };
}

/** The subject Name of a certificate, exactly as it is encoded there (the issuer of what it signs). */
function subjectOf(certificate: X509Certificate): Buffer {
  const [toBeSigned] = der.childrenOf(der.childrenOf(certificate.raw)[0]!.contents);
  const fields = der.childrenOf(toBeSigned!.contents);
  // version [0] (present in v3), serialNumber, signature, issuer, validity, subject.
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  return fields[offset + 4]!.bytes;
}

/** A server certificate for the given host names and IP addresses, signed by the authority. */
export function generateServerCertificate(authority: IssuedCertificate, subjectAltNames: readonly string[], now: number = Date.now()): IssuedCertificate {
  const authorityCertificate = new X509Certificate(authority.certificatePem);
  const authoritySpki = authorityCertificate.publicKey.export({ format: "der", type: "spki" });
  const key = generateRsaKey();
  const altNames = subjectAltNames.map((name) => (isIP(name) ? der.implicit(7, der.addressBytes(name)) : der.implicit(2, Buffer.from(name, "ascii"))));
  const { certificatePem, notAfter } = issue({
    subject: distinguishedName([[oids.commonName, subjectAltNames[0] ?? "localhost"]]),
    issuer: subjectOf(authorityCertificate),
    spki: key.publicKey,
    extensions: [
      extension(oids.basicConstraints, true, der.sequence()), // cA FALSE (the DER default, so absent)
      extension(oids.keyUsage, true, der.namedBits([keyUsage.digitalSignature, keyUsage.keyEncipherment])),
      extension(oids.extKeyUsage, false, der.sequence(der.objectIdentifier(oids.serverAuth))),
      extension(oids.subjectAltName, false, der.sequence(...altNames)),
      extension(oids.subjectKeyIdentifier, false, der.octetString(keyIdentifier(key.publicKey))),
      extension(oids.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(authoritySpki)))),
    ],
    now,
    lifetimeMs: serverCertificateLifetimeMs,
    signingKeyPem: authority.privateKeyPem,
  });
  return { certificatePem, privateKeyPem: key.privateKey, notAfter };
}

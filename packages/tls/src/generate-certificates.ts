import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

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

/** An RSA key from Node's crypto (native, fast), in the PEM forms node-forge reads. */
function generateRsaKey() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** A positive, non-zero 128-bit serial number (the high bit cleared so DER keeps it positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function newCertificate(publicKeyPem: string, now: number, lifetimeMs: number) {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = serialNumber();
  // Back-dated a little so a skewed clock (a container's) does not reject a fresh certificate.
  certificate.validity.notBefore = new Date(now - day);
  certificate.validity.notAfter = new Date(now + lifetimeMs);
  return certificate;
}

const authorityName = [
  { name: "commonName", value: "foundry-emulator local CA" },
  { name: "organizationName", value: "foundry-emulator" },
];

/**
 * A self-signed certificate authority, with the extensions strict verifiers (OpenSSL 3 with
 * X509_STRICT, as Python 3.13's default context uses) require: critical basic constraints, key
 * usage, and a subject key identifier.
 */
export function generateCertificateAuthority(now: number = Date.now()): IssuedCertificate {
  const key = generateRsaKey();
  const certificate = newCertificate(key.publicKeyPem, now, certificateAuthorityLifetimeMs);
  certificate.setSubject(authorityName);
  certificate.setIssuer(authorityName);
  certificate.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem: key.privateKeyPem, notAfter: certificate.validity.notAfter.getTime() };
}

/** A server certificate for the given host names and IP addresses, signed by the authority. */
export function generateServerCertificate(authority: IssuedCertificate, subjectAltNames: readonly string[], now: number = Date.now()): IssuedCertificate {
  const authorityCertificate = forge.pki.certificateFromPem(authority.certificatePem);
  const key = generateRsaKey();
  const certificate = newCertificate(key.publicKeyPem, now, serverCertificateLifetimeMs);
  certificate.setSubject([{ name: "commonName", value: subjectAltNames[0] ?? "localhost" }]);
  certificate.setIssuer(authorityCertificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: subjectAltNames.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: authorityCertificate.generateSubjectKeyIdentifier().getBytes() },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(authority.privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem: key.privateKeyPem, notAfter: certificate.validity.notAfter.getTime() };
}

import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { eq } from "drizzle-orm";
import type { Environment } from "@foundry-emulator/config";
import { certificates, type FoundryDatabase } from "@foundry-emulator/db";
import { generateCertificateAuthority, generateServerCertificate, type IssuedCertificate } from "./generate-certificates";

export interface TlsMaterial {
  /** PEM of the emulator's certificate authority: what a client must trust. */
  caCertificatePem: string;
  serverCertificatePem: string;
  serverPrivateKeyPem: string;
  /** The names the server certificate is valid for. */
  subjectAltNames: string[];
  /** Where the PEM files were written (`ca.pem`, `server.pem`, `server-key.pem`). */
  directory: string;
  caPath: string;
  serverCertificatePath: string;
  serverPrivateKeyPath: string;
}

export interface TlsMaterialOptions {
  /** FOUNDRY_DB: the files go to `<its directory>/tls`, or to a temporary directory for `:memory:`. */
  databasePath: string;
  /** FOUNDRY_PUBLIC_URL: its host is added to the server certificate's names. */
  publicUrl: string;
  /** FOUNDRY_TLS_HOSTNAMES: more names for the server certificate. */
  additionalHostnames?: readonly string[];
  now?: number;
}

const authorityId = "ca";
/** A server certificate closer than this to its expiry is re-issued. */
const renewalMarginMs = 30 * 24 * 3600 * 1000;

/** localhost, 127.0.0.1, ::1 and the host of the public URL, without duplicates. */
export function serverNamesFor(publicUrl: string, additionalHostnames: readonly string[] = []): string[] {
  const host = new URL(publicUrl).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return [...new Set(["localhost", "127.0.0.1", "::1", host, ...additionalHostnames.map((name) => name.toLowerCase())])];
}

function readCertificate(database: FoundryDatabase, id: string) {
  return database.select().from(certificates).where(eq(certificates.id, id)).get();
}

/** The one authority of this database: created once; when two processes race, both read the winner. */
function loadOrCreateAuthority(database: FoundryDatabase, now: number): IssuedCertificate {
  let row = readCertificate(database, authorityId);
  if (!row) {
    const generated = generateCertificateAuthority(now);
    database
      .insert(certificates)
      .values({ id: authorityId, ...generated, subjectAltNames: [], createdAt: now })
      .onConflictDoNothing()
      .run();
    row = readCertificate(database, authorityId)!;
  }
  return row;
}

/** A server certificate per set of names, so processes with different public URLs never fight over one. */
function loadOrCreateServerCertificate(database: FoundryDatabase, authority: IssuedCertificate, names: string[], now: number): IssuedCertificate {
  const id = `server:${createHash("sha256").update(names.join("\n")).digest("hex").slice(0, 16)}`;
  const row = readCertificate(database, id);
  if (row && row.notAfter - renewalMarginMs > now) return row;
  const generated = generateServerCertificate(authority, names, now);
  database
    .insert(certificates)
    .values({ id, ...generated, subjectAltNames: names, createdAt: now })
    .onConflictDoUpdate({ target: certificates.id, set: { ...generated, createdAt: now } })
    .run();
  return readCertificate(database, id)!;
}

function tlsDirectoryFor(databasePath: string): string {
  if (databasePath === ":memory:" || databasePath === "") return mkdtempSync(join(tmpdir(), "foundry-emulator-tls-"));
  return join(dirname(resolve(databasePath)), "tls");
}

/** Writes a file only when its content differs, through a rename so a reader never sees half a file. */
function writeFileAtomically(path: string, content: string, mode: number) {
  try {
    if (readFileSync(path, "utf8") === content) return;
  } catch {
    // absent: write it
  }
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

const cache = new WeakMap<FoundryDatabase, Map<string, TlsMaterial>>();

/**
 * The emulator's TLS material: the certificate authority and a server certificate it signed,
 * generated on first use and kept in the database (so every restart and every process sharing the
 * file present the same chain), and written as PEM files next to the data so module environments
 * can hand out a file path. Cached per database and public URL.
 */
export function loadOrCreateTlsMaterial(database: FoundryDatabase, options: TlsMaterialOptions): TlsMaterial {
  const cacheKey = `${options.databasePath}\n${options.publicUrl}\n${(options.additionalHostnames ?? []).join(",")}`;
  const cached = cache.get(database)?.get(cacheKey);
  if (cached) return cached;

  const now = options.now ?? Date.now();
  const names = serverNamesFor(options.publicUrl, options.additionalHostnames);
  const authority = loadOrCreateAuthority(database, now);
  const server = loadOrCreateServerCertificate(database, authority, names, now);

  const directory = tlsDirectoryFor(options.databasePath);
  // Private to the emulator's user, like the database it sits beside (nginx's master reads it as root).
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const material: TlsMaterial = {
    caCertificatePem: authority.certificatePem,
    serverCertificatePem: server.certificatePem,
    serverPrivateKeyPem: server.privateKeyPem,
    subjectAltNames: names,
    directory,
    caPath: join(directory, "ca.pem"),
    serverCertificatePath: join(directory, "server.pem"),
    serverPrivateKeyPath: join(directory, "server-key.pem"),
  };
  writeFileAtomically(material.caPath, material.caCertificatePem, 0o600);
  writeFileAtomically(material.serverCertificatePath, material.serverCertificatePem, 0o600);
  writeFileAtomically(material.serverPrivateKeyPath, material.serverPrivateKeyPem, 0o600);

  const forDatabase = cache.get(database) ?? new Map<string, TlsMaterial>();
  forDatabase.set(cacheKey, material);
  cache.set(database, forDatabase);
  return material;
}

/** The TLS material the configuration calls for (FOUNDRY_DB, FOUNDRY_PUBLIC_URL, FOUNDRY_TLS_HOSTNAMES). */
export function tlsMaterialFor(database: FoundryDatabase, environment: Environment): TlsMaterial {
  return loadOrCreateTlsMaterial(database, {
    databasePath: environment.FOUNDRY_DB,
    publicUrl: environment.FOUNDRY_PUBLIC_URL,
    additionalHostnames: environment.FOUNDRY_TLS_HOSTNAMES,
  });
}

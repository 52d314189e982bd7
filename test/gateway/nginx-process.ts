import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** Debian's nginx; `npm test`'s pretest step (scripts/ensure-test-prerequisites.mjs) installs it. */
export const nginxBinary = "/usr/sbin/nginx";

export function requireNginx(): void {
  if (!existsSync(nginxBinary)) {
    throw new Error(`${nginxBinary} is missing: run npm test (its pretest step installs it) or apt-get install nginx`);
  }
}

/** A self-contained nginx.conf around http-level snippets: every path inside `directory`. */
export function nginxMainConfig(directory: string, httpSnippets: string[]): string {
  return [
    `worker_processes 1;`,
    `pid ${directory}/nginx.pid;`,
    `error_log ${directory}/error.log notice;`,
    `events { worker_connections 512; }`,
    `http {`,
    `    default_type application/octet-stream;`,
    `    access_log ${directory}/access.log;`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${directory}/${kind}_temp;`),
    ...httpSnippets,
    `}`,
    "",
  ].join("\n");
}

export interface NginxProcess {
  directory: string;
  configPath: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** A directory nginx's workers can read (as root they run as nobody). */
export function nginxDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-nginx-"));
  chmodSync(directory, 0o755);
  return directory;
}

/** `nginx -t` on a configuration; resolves with its output, rejects when the test fails. */
export async function testNginxConfig(directory: string, configPath: string): Promise<string> {
  const { stderr } = await promisify(execFile)(nginxBinary, ["-t", "-p", directory, "-c", configPath]);
  return stderr;
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts nginx in the foreground (a child of the test) and waits until `port` accepts connections. */
export async function startNginx(directory: string, config: string, port: number): Promise<NginxProcess> {
  requireNginx();
  const configPath = join(directory, "nginx.conf");
  writeFileSync(configPath, config);
  let output = "";
  const child: ChildProcess = spawn(nginxBinary, ["-p", directory, "-c", configPath, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const errorLog = () => {
    try {
      return readFileSync(join(directory, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + 10_000;
  while (!(await portAnswers(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output}\n${errorLog()}`);
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${output}\n${errorLog()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    directory,
    configPath,
    errorLog,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(directory, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        // SIGTERM: fast shutdown (SIGQUIT would wait for held long-polls).
        child.kill("SIGTERM");
      }),
  };
}

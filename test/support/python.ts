import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repositoryRoot } from "./emulator";

/**
 * The unmodified Python clients kept beside the repository (`../shared/python-clients`, or
 * SHARED_DIR/python-clients in CI): the platform SDK (`import foundry`) and the compute-module SDK
 * (`import compute_modules`). No Python registry is reachable, so they run from source on PYTHONPATH.
 */
export const pythonClientsDirectory = resolve(process.env.SHARED_DIR ?? join(repositoryRoot, "../shared"), "python-clients");
export const platformSdkPath = join(pythonClientsDirectory, "foundry-platform-python");
export const computeModuleSdkPath = join(pythonClientsDirectory, "python-compute-module");

/**
 * The interpreter: PYTHON if set, else the first `python3` on PATH (the machine's own has pydantic 2),
 * resolved once to its real binary: a pyenv shim costs ~0.8 s on every start.
 */
export const pythonExecutable = resolveInterpreter(process.env.PYTHON ?? "python3");

function resolveInterpreter(command: string): string {
  try {
    return execFileSync(command, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || command;
  } catch {
    return command; // assertPythonReady says what is wrong
  }
}

/**
 * Fails with a clear message when the interpreter cannot run the SDKs (the pretest step checks the
 * same, so a suite run stops before any test does).
 */
export function assertPythonReady(): void {
  if (!existsSync(platformSdkPath) || !existsSync(computeModuleSdkPath)) {
    throw new Error(`the Python clients are not at ${pythonClientsDirectory} (set SHARED_DIR to the folder holding python-clients/)`);
  }
  let version: string;
  try {
    version = execFileSync(pythonExecutable, ["-c", "import pydantic, requests; print(pydantic.VERSION)"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new Error(`${pythonExecutable} cannot import pydantic and requests, which the platform SDK needs: ${(error as Error).message}`);
  }
  if (!version.startsWith("2.")) throw new Error(`${pythonExecutable} has pydantic ${version}; the platform SDK needs pydantic 2`);
}

export interface PythonProcess {
  child: ChildProcess;
  output: () => string;
  /** stdout alone (a script's machine-readable results, free of stderr's warnings). */
  stdout: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a Python script with both SDKs on PYTHONPATH; stdout and stderr are collected. With
 * `stdin: "pipe"` the test can answer the script through `child.stdin` (e.g. a browser redirect).
 */
export function startPython(
  script: string,
  options: {
    args?: string[];
    environment?: Record<string, string>;
    cwd?: string;
    stdin?: "ignore" | "pipe";
    /**
     * Inherit only what finds and runs the interpreter (PATH, HOME, PYENV_*), not this process's
     * environment: the script sees `environment` and PYTHONPATH, as a module in its container would.
     */
    isolated?: boolean;
    /** Its own process group, stopped as a whole (the compute-module SDK forks worker processes). */
    processGroup?: boolean;
  } = {},
): PythonProcess {
  const child = spawn(pythonExecutable, ["-u", script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: {
      ...(options.isolated ? interpreterEnvironment() : process.env),
      PYTHONPATH: [platformSdkPath, computeModuleSdkPath, options.isolated ? undefined : process.env.PYTHONPATH].filter(Boolean).join(":"),
      PYTHONDONTWRITEBYTECODE: "1",
      ...options.environment,
    },
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
    detached: options.processGroup ?? false,
  });
  let output = "";
  let stdout = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    stop(signal = "SIGTERM") {
      if (options.processGroup && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal); // the whole group: the workers it forked too
        } catch {
          // the group is gone already
        }
      } else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** What an isolated script inherits from this process: enough to find and start the interpreter. */
function interpreterEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && /^(PATH|HOME|PYENV_.*)$/.test(entry[0])));
}

/** Runs a script to its end; rejects with its output when it exits non-zero. */
export async function runPython(script: string, options: Parameters<typeof startPython>[1] & { timeoutMs?: number } = {}): Promise<string> {
  const running = startPython(script, options);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const code = await running.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${running.output()}`);
  return running.output();
}

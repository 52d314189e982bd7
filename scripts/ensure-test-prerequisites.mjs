// Runs before `npm test`: the suite drives Debian's chromium (browser tests), nginx (gateway
// test) and curl (HTTPS test). Installs them when it can (root), otherwise stops with the exact command to run.
// It also needs a python3 with pydantic 2 for the Python SDKs, which no registry here can install.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const python = process.env.PYTHON ?? "python3";
let pydantic = "";
try {
  pydantic = execFileSync(python, ["-c", "import pydantic, requests; print(pydantic.VERSION)"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
} catch {
  // reported below
}
if (!pydantic.startsWith("2.")) {
  console.error(
    `The test suite runs the Python platform SDK, which needs pydantic 2 and requests; '${python}' has ${pydantic ? `pydantic ${pydantic}` : "neither (or is missing)"}.\n` +
      "Put a python3 with pydantic 2 first on PATH (or set PYTHON=/path/to/python3); Debian's /usr/bin/python3 has only pydantic 1.",
  );
  process.exit(1);
}

const required = [
  { debianPackage: "chromium", binary: "/usr/bin/chromium" },
  { debianPackage: "nginx", binary: "/usr/sbin/nginx" },
  { debianPackage: "curl", binary: "/usr/bin/curl" },
];
const missing = required.filter((entry) => !existsSync(entry.binary)).map((entry) => entry.debianPackage);
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
if (process.getuid?.() !== 0) {
  console.error(`The test suite needs Debian packages that are not installed: ${missing.join(", ")}.\nRun:\n  sudo sh -c '${command}'`);
  process.exit(1);
}
console.log(`Installing Debian packages for the test suite: ${missing.join(", ")}`);
const run = (args) => execFileSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
run(["update", "-qq"]);
run(["install", "-y", "-qq", "--no-install-recommends", ...missing]);

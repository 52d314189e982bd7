// Runs before `npm test`: the suite drives Debian's chromium (browser tests), nginx (gateway
// test) and curl (HTTPS test). Installs them when it can (root), otherwise stops with the exact command to run.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

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

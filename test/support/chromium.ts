import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (the pretest step installs it). */
export const chromiumPath = "/usr/bin/chromium";

// The flags BROWSER-TESTS.md lists as working here; no --user-data-dir (launch() makes a temporary profile).
const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Headless Chromium with this machine's flags, plus any of the test's own. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumFlags, ...extraArgs] });
}

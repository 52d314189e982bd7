// A tiny single-page app for the browser test, bundled by esbuild (platform "browser") at test
// time: the real @osdk/oauth public client signs in, then the real platform SDK reads the user.
import { createPublicOauthClient } from "@osdk/oauth";
import { Users } from "@osdk/foundry.admin";
import { createSharedClientContext } from "@osdk/shared.client.impl";

// Replaced by esbuild's `define` with the test's ports.
declare const __FOUNDRY_URL__: string;
declare const __CLIENT_ID__: string;
declare const __REDIRECT_URL__: string;

const show = (id: string, text: string) => {
  document.getElementById(id)!.textContent = text;
};

const auth = createPublicOauthClient(__CLIENT_ID__, __FOUNDRY_URL__, __REDIRECT_URL__, { scopes: ["api:admin-read"] });

async function main() {
  show("status", "signing-in");
  const token = await auth(); // redirects to the picker on the first visit
  // getCurrent sends Authorization + Fetch-User-Agent (+ Content-Type: application/json): a CORS preflight.
  const client = createSharedClientContext(__FOUNDRY_URL__, auth, "foundry-emulator-browser-test/1.0");
  const user = await Users.getCurrent(client);
  show("username", user.username);
  show("user-id", user.id);
  (window as unknown as { testApp: unknown }).testApp = {
    accessToken: token,
    signOut: () => auth.signOut(),
  };
  show("status", "signed-in");
}

main().catch((error: unknown) => {
  show("status", "error");
  show("error", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
});

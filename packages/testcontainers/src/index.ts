export * from "./foundry-emulator-container";
export * from "./oauth-login";

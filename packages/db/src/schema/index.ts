export * from "./principals";
export * from "./oauth-clients";
export * from "./authorizations";
export * from "./tokens";
export * from "./compute-modules";
export * from "./certificates";
export * from "./request-journal";
export * from "./derivation-keys";

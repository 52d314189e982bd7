export * from "./secrets";
export * from "./uuid-encoding";
export * from "./scopes";
export * from "./signing-key";
export * from "./access-tokens";
export * from "./derived-secrets";

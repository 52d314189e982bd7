export * from "./errors/foundry-error";
export * from "./errors/oauth-error";
export * from "./body-limit";
export * from "./cross-origin";
export * from "./form-body";
export * from "./service-environment";
export * from "./service-app";
export * from "./authentication";

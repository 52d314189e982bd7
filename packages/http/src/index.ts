export * from "./errors/foundry-error";
export * from "./errors/oauth-error";
export * from "./body-limit";
export * from "./cross-origin";
export * from "./form-body";
export * from "./service-environment";
export * from "./service-app";
export * from "./authentication";
export * from "./admin-token";
export * from "./json-body";
export * from "./route-access";

export * from "./logger";
export * from "./request-logging";
export * from "./request-journal";
export * from "./public-url";
export * from "./bounded-body";
export { requestHeader, setResponseHeader } from "./node-fast-path";
export * from "./site-protection";

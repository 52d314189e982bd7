export * from "./environment";
export * from "./seed/seed-schema";
export * from "./seed/parse-seed";
export * from "./seed/apply-seed";
export * from "./seed/reset-to-seed";
export * from "./seed/environment-file";

export * from "./app";
export { runtimeEndpoints } from "./routes/runtime/runtime-environment";

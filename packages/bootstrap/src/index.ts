export * from "./platform";
export * from "./serve";

export * from "./control-plane-dependencies";
export * from "./control-plane.routes";

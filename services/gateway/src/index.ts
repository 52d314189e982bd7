export * from "./route-table";
export * from "./gateway-app";

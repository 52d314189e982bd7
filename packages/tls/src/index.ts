export * from "./generate-certificates";
export * from "./tls-material";

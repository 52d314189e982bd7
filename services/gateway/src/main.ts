import { runService } from "@foundry-emulator/bootstrap";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { createGatewayApp } from "./gateway-app";

await runService("all", (platform) => createGatewayApp({ auth: createAuthApp(platform), compute: createComputeApp(platform) }));

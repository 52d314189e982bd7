import { runService } from "@foundry-emulator/bootstrap";
import { createAuthApp } from "./app";

await runService("auth", createAuthApp);

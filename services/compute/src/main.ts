import { runService } from "@foundry-emulator/bootstrap";
import { createComputeApp } from "./app";

await runService("compute", createComputeApp);

import type { Context } from "hono";
import { controlPlaneContract, renderOpenApiDocument, type OpenApiDocument } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ControlPlaneDependencies } from "./control-plane-dependencies";

/** GET /_emulate/openapi.json: the control plane's OpenAPI 3.1 document, rendered once from the route declarations. */
export function openApiHandler({ platform }: ControlPlaneDependencies) {
  let document: OpenApiDocument | undefined;
  return (context: Context<ServiceBindings>) => {
    document ??= renderOpenApiDocument(controlPlaneContract, { serverUrl: platform.environment.FOUNDRY_PUBLIC_URL });
    return context.json(document);
  };
}

import type { Context } from "hono";
import { routeAccessTable, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { controlPlaneRoutes } from "../../control-plane/control-plane-routes";
import { renderOpenApiDocument, type OpenApiDocument } from "../../control-plane/openapi-document";

/** GET /_emulate/openapi.json: the control plane's OpenAPI 3.1 document, rendered once. */
export function openApiHandler({ platform }: AuthDependencies) {
  let document: OpenApiDocument | undefined;
  return (context: Context<ServiceBindings>) => {
    document ??= renderOpenApiDocument(controlPlaneRoutes, { serverUrl: platform.environment.FOUNDRY_PUBLIC_URL, routeAccessTable });
    return context.json(document);
  };
}

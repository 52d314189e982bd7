import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { randomUUID } from "node:crypto";

/** The Conjure error envelope every `/api` and contour route answers with. */
export interface FoundryErrorBody {
  errorCode: string;
  errorName: string;
  errorInstanceId: string;
  parameters: Record<string, unknown>;
  errorDescription?: string;
}

/** errorCode → HTTP status, as Conjure's ErrorType defines it. */
const statusOfErrorCode = {
  UNAUTHORIZED: 401,
  PERMISSION_DENIED: 403,
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REQUEST_ENTITY_TOO_LARGE: 413,
  FAILED_PRECONDITION: 500,
  INTERNAL: 500,
  TIMEOUT: 500,
  CUSTOM_CLIENT: 400,
  CUSTOM_SERVER: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type FoundryErrorCode = keyof typeof statusOfErrorCode;

export class FoundryError extends Error {
  constructor(
    readonly errorCode: FoundryErrorCode,
    readonly errorName: string,
    readonly parameters: Record<string, unknown> = {},
    readonly errorDescription?: string,
    readonly status: ContentfulStatusCode = statusOfErrorCode[errorCode],
  ) {
    super(errorDescription ?? errorName);
  }
}

export function foundryErrorBody(error: FoundryError, errorInstanceId: string = randomUUID()): FoundryErrorBody {
  const body: FoundryErrorBody = {
    errorCode: error.errorCode,
    errorName: error.errorName,
    errorInstanceId,
    parameters: error.parameters,
  };
  if (error.errorDescription) body.errorDescription = error.errorDescription;
  return body;
}

export function respondWithFoundryError(context: Context, error: FoundryError): Response {
  const requestId = context.get("requestId" as never) as string | undefined;
  return context.json(foundryErrorBody(error, requestId ?? randomUUID()), error.status);
}

/** The errors the emulator raises, named once so every route answers them the same way. */
export const foundryErrors = {
  unauthorized: (description = "The given authorization token header is invalid.") => new FoundryError("UNAUTHORIZED", "Default:Unauthorized", {}, description),
  apiUsageDenied: (missingScope: string) => new FoundryError("PERMISSION_DENIED", "ApiUsageDenied", { missingScope }, "You are not allowed to use Palantir APIs."),
  permissionDenied: (errorName = "Default:PermissionDenied", parameters: Record<string, unknown> = {}, description?: string) =>
    new FoundryError("PERMISSION_DENIED", errorName, parameters, description),
  invalidArgument: (errorName = "Conjure:InvalidArgument", parameters: Record<string, unknown> = {}, description?: string) =>
    new FoundryError("INVALID_ARGUMENT", errorName, parameters, description),
  notFound: (errorName: string, parameters: Record<string, unknown> = {}, description?: string) => new FoundryError("NOT_FOUND", errorName, parameters, description),
  conflict: (errorName: string, parameters: Record<string, unknown> = {}, description?: string) => new FoundryError("CONFLICT", errorName, parameters, description),
  requestEntityTooLarge: (maxBytes: number) =>
    new FoundryError("REQUEST_ENTITY_TOO_LARGE", "Conjure:RequestEntityTooLarge", { maxBytes }, `The request body is larger than ${maxBytes} bytes.`),
  unsupportedMediaType: (contentType: string) => new FoundryError("INVALID_ARGUMENT", "Conjure:UnsupportedMediaType", { contentType }, "Unsupported Content-Type.", 415),
  internal: () => new FoundryError("INTERNAL", "Default:Internal", {}, "An internal error occurred."),
};

import pino, { type Logger } from "pino";
import { oncePerTurnDestination } from "./log-destination";

export type { Logger } from "pino";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * Field names whose values never reach a log line, wherever they appear one level down (a request's
 * headers, a parsed form): pino replaces them before the line is written.
 */
const redactedPaths = [
  "authorization",
  "cookie",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  'headers["module-auth-token"]',
  "*.authorization",
  "*.cookie",
  ...["client_secret", "clientSecret", "code", "code_verifier", "refresh_token", "access_token", "token", "password", "moduleAuthToken"].flatMap((key) => [key, `*.${key}`]),
];

let isoTimeAt = 0;
let isoTimeField = "";

/**
 * pino's `isoTime` (`,"time":"<ISO 8601>"`), formatted once per millisecond: under load many lines
 * share one, and formatting a date costs about as much as the rest of a request line.
 */
function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== isoTimeAt) {
    isoTimeAt = now;
    isoTimeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoTimeField;
}

/**
 * One JSON line per event on stdout: `{level, time, service, msg, ...}`; `silent` writes nothing.
 * Lines reach stdout at the end of the event-loop turn that wrote them (see log-destination.ts).
 */
export function createLogger(level: LogLevel, destination: pino.DestinationStream = oncePerTurnDestination()): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: isoTimeOncePerMillisecond,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactedPaths, censor: "[redacted]" },
  };
  return pino(options, destination);
}

const loggersByLevel = new Map<LogLevel, Logger>();

/** The process's logger for a level (one per level, so the services of one process share it). */
export function loggerFor(level: LogLevel): Logger {
  let logger = loggersByLevel.get(level);
  if (!logger) {
    logger = createLogger(level);
    loggersByLevel.set(level, logger);
  }
  return logger;
}

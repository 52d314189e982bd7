import { resolve } from "node:path";

/** The committed nginx template the compose stack's gateway mounts (rendered from the route table). */
export const composeNginxTemplatePath = resolve(import.meta.dirname, "../../nginx/templates/default.conf.template");

import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Content = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The frame of every page the auth service renders; hono/html escapes every interpolated value. */
export function pageLayout(title: string, body: Content) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · foundry-emulator</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1c2127; }
      h1 { font-size: 1.4rem; } .muted { color: #5f6b7c; font-size: .9rem; }
      .users { display: grid; gap: .5rem; margin: 1.5rem 0; }
      button.user { display: block; width: 100%; text-align: left; padding: .75rem 1rem; border: 1px solid #c5cbd3;
        border-radius: 6px; background: #fff; cursor: pointer; font-size: 1rem; }
      button.user:hover { border-color: #2d72d2; background: #f6f9fd; }
      button.deny { background: none; border: none; color: #ac2f33; cursor: pointer; padding: 0; }
      code { background: #f1f3f5; padding: 0 .25rem; border-radius: 3px; }
      .error { border-left: 4px solid #ac2f33; padding: .5rem 1rem; background: #fdf3f3; }
    </style>
  </head>
  <body>
    <p class="muted">foundry-emulator · Multipass</p>
    ${body}
  </body>
</html>`;
}

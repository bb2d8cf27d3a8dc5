/**
 * GET /preview/extension/<target>.js — the real extension source for one POS target, bundled
 * for the register preview (demo mode only). `?backend=offline` points it at a dead backend.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireDemoMode } from "../preview/demo-mode.server";
import { previewBundle, UNREACHABLE_BACKEND } from "../preview/extension-bundle.server";
import { PREVIEW_TARGETS } from "../preview/types";

const Params = z.object({
  target: z
    .string()
    .transform((value) => value.replace(/\.js$/, ""))
    .pipe(z.enum(PREVIEW_TARGETS)),
});

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  requireDemoMode();
  const parsed = Params.safeParse(params);
  if (!parsed.success) throw new Response("Unknown extension target", { status: 404 });
  const url = new URL(request.url);
  const appUrl = url.searchParams.get("backend") === "offline" ? UNREACHABLE_BACKEND : url.origin;
  const code = await previewBundle(parsed.data.target, appUrl);
  return new Response(code, {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" },
  });
};

/**
 * The page a Square or Clover merchant lands on after connecting (or failing to): plain HTML,
 * never cached. A successful connect also signs the merchant into the console, linked from here.
 */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function connectPage(
  status: number,
  title: string,
  message: string,
  options: { cookies?: string[]; link?: { href: string; text: string } } = {},
): Response {
  const link = options.link ? `<p><a href="${escape(options.link.href)}">${escape(options.link.text)}</a></p>` : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1><p>${escape(message)}</p>${link}</main></body></html>`;
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  for (const cookie of options.cookies ?? []) headers.append("Set-Cookie", cookie);
  return new Response(html, { status, headers });
}

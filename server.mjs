// Production server: the Remix build behind Express, bound to HOST:PORT (127.0.0.1:3000 by
// default). `npm run demo` and `npm start` use it; the worker runs as its own process.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const root = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";

const build = await import(path.join(root, "build/server/index.js"));
const app = express();
app.disable("x-powered-by");
app.disable("etag");
const remix = createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production" });
// Webhooks go straight to Remix: no static-file lookup, no compression, and no body parsers
// (the HMAC is over the raw bytes). Shopify waits on these; every skipped step is latency.
app.post("/webhooks/*", remix);
// The register's API answers are a few hundred bytes to a few KB, read on the store's network:
// gzip would cost more CPU per request than it saves in transfer.
app.use(compression({ filter: (req, res) => !req.path.startsWith("/api/") && compression.filter(req, res) }));
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
app.all("*", remix);

const server = app.listen(port, host, () => {
  console.log(`Register Copilot listening on http://${host}:${port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

/**
 * A broken OpenAI-compatible server on 127.0.0.1 for the black box's OPENAI_BASE_URL: it records
 * every chat-completions call (which prompt asked: the response_format schema name) and either
 * never answers (hangs) or answers 500. Closing it drops the connections it left hanging.
 */
import http from "node:http";
import type net from "node:net";

export type FakeLlmMode = "hang" | "error500";

export interface FakeLlmCall {
  path: string;
  /** The prompt's schema name (return_reason, pitch_lines, shift_summary). */
  schema: string | null;
  at: number;
}

export interface FakeLlm {
  baseUrl: string;
  mode: FakeLlmMode;
  calls: FakeLlmCall[];
  callsFor(schema: string): FakeLlmCall[];
  close(): Promise<void>;
}

export async function startFakeLlm(mode: FakeLlmMode): Promise<FakeLlm> {
  const sockets = new Set<net.Socket>();
  const fake: FakeLlm = {
    baseUrl: "",
    mode,
    calls: [],
    callsFor: (schema) => fake.calls.filter((call) => call.schema === schema),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let schema: string | null = null;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          response_format?: { json_schema?: { name?: string } };
        };
        schema = body.response_format?.json_schema?.name ?? null;
      } catch {
        // Not JSON: recorded without a schema.
      }
      fake.calls.push({ path: request.url ?? "", schema, at: Date.now() });
      if (fake.mode === "hang") return; // Never answers; the client must give up on its own.
      response.writeHead(500, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ error: { message: "The server had an error", type: "server_error" } }));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}/v1`;
  return fake;
}

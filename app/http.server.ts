/** Request-body handling shared by every route that reads one: size caps and zod parsing. */
import type { z } from "zod";
import { isDatabaseUnavailable } from "./db.server";
import type { PosErrorResponse } from "../shared/pos-contract";

export class BodyTooLargeError extends Error {}

/**
 * On a 413: the rest of the body is never read, so the connection cannot carry another request;
 * closing it after the answer stops the sender (instead of the server draining what it sends).
 */
export const TOO_LARGE_HEADERS = { Connection: "close" } as const;

/** Reads at most `limit` bytes; a body that goes past it is refused without buffering the rest. */
export async function readBodyWithLimit(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new BodyTooLargeError();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not `reader.cancel()`: on Node that destroys the socket, and the sender never sees its 413.
      // The rest is left unread; the 413 closes the connection (TOO_LARGE_HEADERS).
      reader.releaseLock();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The one error shape of the API: `{ error: { code, message } }`. */
export function apiError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  const body: PosErrorResponse = { error: { code, message } };
  return Response.json(body, { status, headers });
}

/** How long a register or a webhook sender is asked to wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * 503 `database_unavailable` with Retry-After: the database is locked or down for a moment and
 * nothing was saved, so the same request can simply be sent again.
 */
export function databaseUnavailable(): Response {
  return apiError(
    503,
    "database_unavailable",
    "The copilot's database is unavailable for a moment and nothing was saved. Try again in a few seconds.",
    { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS), "Cache-Control": "no-store" },
  );
}

/**
 * The answer to an error an API route caught: a thrown Response as it is, the 503 above when the
 * database is unavailable; anything else is rethrown (a 500, and a bug to look at).
 */
export function apiFailure(error: unknown): Response {
  if (error instanceof Response) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  throw error;
}

/**
 * Reads and validates a JSON body. Throws a ready Response: 413 over `maxBytes`, 400 for
 * JSON that does not parse or does not fit the schema (the message names the field).
 */
export async function parseJsonBody<T>(request: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  let text: string;
  try {
    text = await readBodyWithLimit(request, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw apiError(413, "body_too_large", `body exceeds ${maxBytes} bytes`, TOO_LARGE_HEADERS);
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw apiError(400, "invalid_json", "body is not valid JSON");
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join(".") || "(body)";
    throw apiError(400, "invalid_body", `${field}: ${issue.message}`);
  }
  return result.data;
}

/**
 * An admin form's refusal: `{ fieldErrors: { field: message } }` with 400, the first message per
 * field (issues without a path go under "form").
 */
export function fieldErrorsResponse(
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>,
): Response {
  const fieldErrors: Record<string, string> = {};
  for (const issue of issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
  return Response.json({ fieldErrors }, { status: 400 });
}

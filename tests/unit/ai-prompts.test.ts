/**
 * The prompt registry's rule: a prompt's text (instructions, schema, schema name) never changes
 * under the same version, because every stored output names the version that produced it.
 * Changing a prompt means bumping its version and recording the new fingerprint here.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROMPTS } from "../../app/ai/prompts";

const PINNED: Record<string, { version: number; fingerprint: string }> = {
  "pitch-lines": { version: 1, fingerprint: "a90c00ac245f72aa" },
  "return-reason": { version: 1, fingerprint: "ef704b65f3dc44c7" },
  "shift-summary": { version: 1, fingerprint: "145c3f8160620465" },
};

function fingerprint(prompt: (typeof PROMPTS)[number]) {
  const text = JSON.stringify({
    system: prompt.system,
    schema: z.toJSONSchema(prompt.schema),
    name: prompt.schemaName,
  });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

describe("prompt registry", () => {
  it("has one entry per prompt id, each pinned to its version's text", () => {
    expect(PROMPTS.map((prompt) => prompt.id).sort()).toEqual(Object.keys(PINNED).sort());
    for (const prompt of PROMPTS) {
      const pinned = PINNED[prompt.id]!;
      expect({ id: prompt.id, version: prompt.version, fingerprint: fingerprint(prompt) }).toEqual({
        id: prompt.id,
        ...pinned,
      });
    }
  });

  it("keeps data out of the instructions and names a schema the API accepts", () => {
    for (const prompt of PROMPTS) {
      expect(prompt.system).toMatch(/<data>/);
      expect(prompt.system).toMatch(/never (an )?instructions?/i);
      expect(prompt.schemaName).toMatch(/^[a-z0-9_]{1,64}$/);
    }
  });
});

import { z } from "zod";

// Clearly fake credentials shipped in .env.example; only these may run in demo mode.
export const DEMO_API_KEY = "demo-register-copilot-api-key";
export const DEMO_SHOP_DOMAIN = "demo-register.myshopify.com";

const booleanFlag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((value) => value === "1" || value === "true");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
    SHOPIFY_API_SECRET: z.string().min(8, "SHOPIFY_API_SECRET must be at least 8 characters"),
    SHOPIFY_APP_URL: z.url("SHOPIFY_APP_URL must be a URL"),
    SCOPES: z
      .string()
      .default("read_orders,read_all_orders,read_products,read_inventory,read_customers,read_locations"),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, "DATABASE_URL must start with file: or postgresql://")
      .default("file:./prisma/data/dev.db"),
    // The app's handle (shopify.app.toml): Shopify's plan page for the app is addressed by it.
    SHOPIFY_APP_HANDLE: z
      .string()
      .regex(/^[a-z0-9-]{1,100}$/, "SHOPIFY_APP_HANDLE is lowercase letters, digits and -")
      .default("register-copilot"),
    DEMO_MODE: booleanFlag,
    MANAGER_PIN_PEPPER: z.string().min(16, "MANAGER_PIN_PEPPER must be at least 16 characters"),
    BACKFILL_MONTHS: z.coerce.number().int().min(1).max(60).default(12),
    // The Shopify library's log level; it logs every authenticated request at "info".
    SHOPIFY_LOG_LEVEL: z.enum(["error", "warning", "info", "debug"]).optional(),
    // How stale a web process's in-memory view of a shop (catalog, stock, settings) may get.
    SERVING_REFRESH_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
    // Any OpenAI-compatible server (hosted, Azure, Ollama, vLLM); the AI layer is off without a key.
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: z.url("OPENAI_BASE_URL must be a URL").optional(),
    OPENAI_MODEL: z.string().min(1).max(200).optional(),
    // Square, Clover and Lightspeed stores (issues 9, 11): each platform is on when its credentials are set.
    // Their OAuth tokens are sealed with TOKEN_ENCRYPTION_KEY (32 bytes, base64).
    TOKEN_ENCRYPTION_KEY: z.string().min(40, "TOKEN_ENCRYPTION_KEY is 32 bytes, base64-encoded").optional(),
    SQUARE_APPLICATION_ID: z.string().min(1).optional(),
    SQUARE_APPLICATION_SECRET: z.string().min(1).optional(),
    SQUARE_ENVIRONMENT: z.enum(["sandbox", "production"]).default("sandbox"),
    SQUARE_WEBHOOK_SIGNATURE_KEY: z.string().min(1).optional(),
    CLOVER_APP_ID: z.string().min(1).max(200).optional(),
    CLOVER_APP_SECRET: z.string().min(1).max(500).optional(),
    CLOVER_ENVIRONMENT: z.enum(["sandbox", "production-na", "production-eu", "production-la"]).default("sandbox"),
    CLOVER_WEBHOOK_AUTH_CODE: z.string().min(8, "CLOVER_WEBHOOK_AUTH_CODE is too short").max(500).optional(),
    // Lightspeed Retail (X-Series) add-on (issue 11). Its webhooks are signed with the client
    // secret itself (docs: webhooks, "Verification"), so there is no separate webhook secret.
    LIGHTSPEED_CLIENT_ID: z.string().min(1).max(200).optional(),
    LIGHTSPEED_CLIENT_SECRET: z.string().min(8, "LIGHTSPEED_CLIENT_SECRET is too short").max(500).optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default("127.0.0.1"),
  })
  .superRefine((env, ctx) => {
    if ((env.SQUARE_APPLICATION_ID || env.CLOVER_APP_ID || env.LIGHTSPEED_CLIENT_ID) && !env.TOKEN_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["TOKEN_ENCRYPTION_KEY"],
        message:
          "TOKEN_ENCRYPTION_KEY is required to store Square, Clover or Lightspeed tokens (32 random bytes, base64)",
      });
    }
    // Demo mode opens the admin and /preview without Shopify; never with a real app's key.
    if (env.DEMO_MODE && env.SHOPIFY_API_KEY !== DEMO_API_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["DEMO_MODE"],
        message: `DEMO_MODE is refused when a real SHOPIFY_API_KEY is configured (demo needs ${DEMO_API_KEY})`,
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

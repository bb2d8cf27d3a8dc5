// Loads .env when present, else the demo values in .env.example, without overriding variables
// already set in the environment (CI and `shopify app dev` set their own).
import fs from "node:fs";
import path from "node:path";

export function loadEnv(root) {
  const file = [".env", ".env.example"]
    .map((name) => path.join(root, name))
    .find((candidate) => fs.existsSync(candidate));
  if (file) process.loadEnvFile(file);
  return file;
}

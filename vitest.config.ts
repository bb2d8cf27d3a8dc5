import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~": path.resolve(__dirname, "app"),
      "@shared": path.resolve(__dirname, "shared"),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"],
          environment: "node",
          setupFiles: ["tests/setup/fail-on-console-error.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "routes",
          include: ["tests/routes/**/*.test.ts"],
          environment: "node",
          // Each file gets its own database (see tests/setup/database.ts); files run in
          // separate processes so the app's process-wide singletons are per database.
          pool: "forks",
          setupFiles: ["tests/setup/database.ts", "tests/setup/fail-on-console-error.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // The built app as separate processes, met over HTTP only (tests/support/black-box.ts):
          // the security battery and fault injection. Needs `npm run build`; `npm test` builds first.
          name: "black-box",
          include: ["tests/security/**/*.test.ts", "tests/faults/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          // Each file runs its own server (and worker) processes, so files run one at a time and
          // the processes get the machine's cores.
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ["tests/setup/demo-database.ts"],
          setupFiles: ["tests/setup/fail-on-console-error.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

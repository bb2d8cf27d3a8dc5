/** Every job type the worker knows, in one map. */
import { shopifyAdminWorkerHandlers } from "./install.server";
import { webhookJobHandlers, type JobHandler } from "./worker.server";

export async function allJobHandlers(): Promise<Record<string, JobHandler>> {
  return { ...webhookJobHandlers(), ...shopifyAdminWorkerHandlers() };
}

/**
 * The few extension APIs this extension uses, typed here rather than through @types/chrome (a
 * global `chrome` for the whole project would leak into the app's typecheck). Promise-returning
 * forms, as Manifest V3 Chromium offers them.
 */

export interface StorageArea {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

/** Who sent a runtime message: this extension's content script (with its tab) or one of its pages. */
export interface MessageSender {
  id?: string;
  url?: string;
  tab?: { id?: number; url?: string };
}

export interface ChromeApi {
  runtime: {
    id: string;
    getURL(path: string): string;
    sendMessage(message: unknown): Promise<unknown>;
    openOptionsPage(): Promise<void>;
    onMessage: {
      addListener(
        listener: (message: unknown, sender: MessageSender, sendResponse: (response: unknown) => void) => boolean,
      ): void;
    };
  };
  storage: { local: StorageArea; session: StorageArea };
}

export function chromeApi(): ChromeApi {
  return (globalThis as unknown as { chrome: ChromeApi }).chrome;
}

/** One key of a storage area, read and written as a value of its own. */
export interface KeyValueArea {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

export function keyValueArea(area: StorageArea): KeyValueArea {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

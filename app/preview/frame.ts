/**
 * Runs one extension target in its own iframe, as POS runs each target in its own sandbox:
 * the frame gets the stand-in `s-*` elements and a `shopify` global, then loads the extension
 * bundle and calls its default export (the function POS calls to render the target).
 */
import { definePreviewElements, FRAME_CSS, PREVIEW_ELEMENT_TAGS } from "./elements";
import { createShopifyGlobal, type FrameHost } from "./shopify-global";

interface PreviewFrameWindow extends Window {
  shopify?: unknown;
  __registerPreviewRendered?: () => void;
  __registerPreviewFailed?: (error: unknown) => void;
}

export interface MountOptions {
  host: FrameHost;
  bundleUrl: string;
  /** The extension's default export finished; its first render is in the frame. */
  onRendered?: () => void;
  /** The bundle failed to load, or threw while rendering or handling an event. */
  onError: (message: string) => void;
}

const describe = (error: unknown) =>
  error instanceof Error || (error && typeof error === "object" && "message" in error)
    ? `${(error as Error).name ?? "Error"}: ${(error as Error).message}`
    : String(error);

/** Mounts the target into `iframe`; the returned function tears it down. */
export function mountTargetFrame(
  iframe: HTMLIFrameElement,
  { host, bundleUrl, onRendered, onError }: MountOptions,
): () => void {
  let disposed = false;
  let release = () => {};

  const start = () => {
    const frameWindow = iframe.contentWindow as (PreviewFrameWindow & typeof globalThis) | null;
    const doc = iframe.contentDocument;
    if (disposed || !frameWindow || !doc) return;

    definePreviewElements(frameWindow);
    const handle = createShopifyGlobal(frameWindow, host);
    release = handle.dispose;
    frameWindow.shopify = handle.shopify;
    frameWindow.__registerPreviewRendered = () => onRendered?.();
    frameWindow.__registerPreviewFailed = (error) => onError(describe(error));
    frameWindow.addEventListener("error", (event) => onError(describe(event.error ?? event.message)));
    frameWindow.addEventListener("unhandledrejection", (event) => onError(describe(event.reason)));

    // An `s-*` tag the preview has no stand-in for would silently render as plain text.
    const known = new Set(PREVIEW_ELEMENT_TAGS);
    const reported = new Set<string>();
    new frameWindow.MutationObserver(() => {
      for (const element of Array.from(doc.body.querySelectorAll("*"))) {
        const tag = element.localName;
        if (tag.startsWith("s-") && !known.has(tag) && !reported.has(tag)) {
          reported.add(tag);
          host.warn(`<${tag}> has no stand-in in the register preview (outlined in red)`);
        }
      }
    }).observe(doc.body, { childList: true, subtree: true });

    // A dynamic import, so a failing download or a syntax error is caught and shown too.
    const script = doc.createElement("script");
    script.type = "module";
    script.textContent = `import(${JSON.stringify(bundleUrl)})
      .then((module) => module.default())
      .then(() => window.__registerPreviewRendered())
      .catch((error) => window.__registerPreviewFailed(error));`;
    doc.body.append(script);
  };

  iframe.addEventListener("load", start, { once: true });
  iframe.srcdoc = `<!doctype html><html lang="${host.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${FRAME_CSS}</style></head>
<body data-target="${host.target}"></body></html>`;

  return () => {
    disposed = true;
    release();
    iframe.removeEventListener("load", start);
  };
}

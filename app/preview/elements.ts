/**
 * Light stand-ins for the Polaris web components (`s-*`) that POS renders natively, defined
 * inside one extension frame. They render their attributes legibly and forward clicks, nothing
 * more: the preview shows what the extension asks POS to draw, not POS's exact pixels.
 *
 * Preact sets unknown props on custom elements as attributes (lower-cased by HTML), and binds
 * `onClick` as a click listener on the element, so a click inside an element's shadow button
 * reaches the extension's handler as it would on a register.
 */
type FrameWindow = Window & typeof globalThis;

interface Rendered {
  css: string;
  content: (Node | string)[];
}

interface ElementSpec {
  attributes: string[];
  render(element: HTMLElement, h: Builder): Rendered;
}

type Builder = (
  tag: string,
  props?: Record<string, string | boolean | undefined>,
  ...children: (Node | string | null | false)[]
) => HTMLElement;

const SPACING: Record<string, string> = {
  none: "0",
  "small-500": "2px",
  "small-400": "4px",
  "small-300": "6px",
  "small-200": "8px",
  "small-100": "10px",
  small: "12px",
  base: "16px",
  large: "20px",
  "large-100": "24px",
  "large-200": "28px",
  "large-300": "32px",
  "large-400": "40px",
  "large-500": "48px",
};

/** "small base" → "12px 16px"; unknown words pass through (e.g. "auto", "50%"). */
const spacing = (value: string | null, fallback = "0") =>
  value
    ? value
        .trim()
        .split(/\s+/)
        .map((word) => SPACING[word] ?? word)
        .join(" ")
    : fallback;

const TONES: Record<string, { fg: string; bg: string; border: string }> = {
  neutral: { fg: "#303030", bg: "#ebebeb", border: "#d4d4d4" },
  info: { fg: "#00527c", bg: "#e0f0ff", border: "#a8d8ff" },
  success: { fg: "#0c5132", bg: "#cdfee1", border: "#8ee3b4" },
  warning: { fg: "#5e4200", bg: "#fff1c2", border: "#ffd66b" },
  caution: { fg: "#5e4200", bg: "#fff1c2", border: "#ffd66b" },
  critical: { fg: "#8e0b21", bg: "#fee9e8", border: "#fdb7b3" },
};
const tone = (value: string | null) => TONES[value ?? "neutral"] ?? TONES.neutral!;

const isOn = (element: HTMLElement, name: string) =>
  element.hasAttribute(name) && element.getAttribute(name) !== "false";

const SPECS: Record<string, ElementSpec> = {
  "s-tile": {
    attributes: ["heading", "subheading", "itemcount", "tone", "disabled"],
    render(el, h) {
      const count = Number(el.getAttribute("itemcount") ?? 0);
      const accent = el.getAttribute("tone") === "accent";
      return {
        css: `:host{display:block;block-size:100%}
          button{all:unset;box-sizing:border-box;display:flex;flex-direction:column;justify-content:space-between;
            inline-size:100%;block-size:100%;padding:14px 16px;border-radius:14px;cursor:pointer;position:relative;
            background:${accent ? "#1a1a1a" : "#ffffff"};color:${accent ? "#ffffff" : "#1a1a1a"};
            box-shadow:0 1px 0 rgba(0,0,0,.08),inset 0 0 0 1px rgba(0,0,0,.08)}
          button:hover{filter:brightness(${accent ? 1.25 : 0.97})} button:focus-visible{outline:3px solid #2c6ecb;outline-offset:2px}
          button:disabled{cursor:not-allowed;opacity:.5}
          .heading{font-weight:650;font-size:17px;line-height:1.25}
          .sub{font-size:14px;line-height:1.3;opacity:${accent ? 0.85 : 0.7}}
          .count{position:absolute;inset-block-start:10px;inset-inline-end:10px;min-inline-size:22px;block-size:22px;border-radius:11px;
            background:#e51c00;color:#fff;font-size:12px;font-weight:700;display:grid;place-items:center;padding:0 6px;box-sizing:border-box}`,
        content: [
          h(
            "button",
            { type: "button", disabled: isOn(el, "disabled"), part: "tile" },
            h("span", { class: "heading" }, el.getAttribute("heading") ?? ""),
            h("span", { class: "sub" }, el.getAttribute("subheading") ?? ""),
            count > 0 ? h("span", { class: "count" }, String(count)) : null,
          ),
        ],
      };
    },
  },
  "s-page": {
    attributes: ["heading", "subheading"],
    render(el, h) {
      const subheading = el.getAttribute("subheading");
      return {
        css: `:host{display:flex;flex-direction:column;block-size:100%;background:#f1f1f1}
          header{display:flex;align-items:center;gap:12px;padding:14px 20px;background:#fff;border-block-end:1px solid #e3e3e3}
          .titles{flex:1} h1{margin:0;font-size:20px;font-weight:650} p{margin:2px 0 0;color:#616161;font-size:14px}
          main{flex:1;min-block-size:0;display:flex} ::slotted(:not([slot])){flex:1;min-inline-size:0}
          aside{display:contents}`,
        content: [
          h(
            "header",
            {},
            h(
              "div",
              { class: "titles" },
              h("h1", {}, el.getAttribute("heading") ?? ""),
              subheading ? h("p", {}, subheading) : null,
            ),
            h("slot", { name: "secondary-actions" }),
          ),
          h("main", {}, h("slot"), h("aside", {}, h("slot", { name: "aside" }))),
        ],
      };
    },
  },
  "s-pos-block": {
    attributes: ["heading"],
    render(el, h) {
      return {
        css: `:host{display:block;background:#fff;border-radius:12px;padding:16px;box-shadow:inset 0 0 0 1px #e3e3e3}
          h2{margin:0 0 10px;font-size:15px;font-weight:650}`,
        content: [h("h2", {}, el.getAttribute("heading") ?? ""), h("slot")],
      };
    },
  },
  "s-scroll-box": {
    attributes: ["padding", "maxblocksize", "blocksize"],
    render(el, h) {
      return {
        css: `:host{display:block;overflow:auto;box-sizing:border-box;padding:${spacing(el.getAttribute("padding"), "16px")};
          ${el.hasAttribute("maxblocksize") ? `max-block-size:${el.getAttribute("maxblocksize")};` : ""}
          ${el.hasAttribute("blocksize") ? `block-size:${el.getAttribute("blocksize")};` : ""}}`,
        content: [h("slot")],
      };
    },
  },
  "s-section": {
    attributes: ["heading"],
    render(el, h) {
      const heading = el.getAttribute("heading");
      return {
        css: `:host{display:block;background:#fff;border-radius:12px;padding:16px;box-shadow:inset 0 0 0 1px #e3e3e3}
          header{display:flex;align-items:center;justify-content:space-between;margin-block-end:12px}
          h2{margin:0;font-size:15px;font-weight:650;text-transform:uppercase;letter-spacing:.04em;color:#616161}`,
        content: [
          heading ? h("header", {}, h("h2", {}, heading), h("slot", { name: "secondary-actions" })) : null,
          h("slot"),
        ].filter((node): node is HTMLElement => node !== null),
      };
    },
  },
  "s-text": {
    attributes: ["type", "tone", "color"],
    render(el, h) {
      const type = el.getAttribute("type");
      const colour =
        el.getAttribute("tone") && el.getAttribute("tone") !== "auto" ? tone(el.getAttribute("tone")).fg : null;
      const shade =
        el.getAttribute("color") === "subdued" ? "#616161" : el.getAttribute("color") === "strong" ? "#000" : "inherit";
      return {
        css: `:host{display:inline;color:${colour ?? shade};font-size:${type === "small" ? "13px" : "15px"};
          font-weight:${type === "strong" ? 650 : 450};line-height:1.4}`,
        content: [h("slot")],
      };
    },
  },
  "s-heading": {
    attributes: [],
    render(_el, h) {
      return { css: ":host{display:block;font-size:17px;font-weight:650;margin:0}", content: [h("slot")] };
    },
  },
  "s-badge": {
    attributes: ["tone"],
    render(el, h) {
      const colours = tone(el.getAttribute("tone"));
      return {
        css: `:host{display:inline-flex;align-items:center;gap:6px;padding:3px 10px;border-radius:999px;font-size:13px;font-weight:600;
          color:${colours.fg};background:${colours.bg};white-space:nowrap}
          .dot{inline-size:7px;block-size:7px;border-radius:50%;background:currentColor}`,
        content: [h("span", { class: "dot", "aria-hidden": "true" }), h("slot")],
      };
    },
  },
  "s-banner": {
    attributes: ["heading", "tone", "hidden"],
    render(el, h) {
      const colours = tone(el.getAttribute("tone") ?? "info");
      return {
        css: `:host{display:block;border-radius:10px;padding:12px 14px;background:${colours.bg};color:${colours.fg};
          box-shadow:inset 0 0 0 1px ${colours.border}} :host([hidden]){display:none!important}
          strong{display:block;font-size:15px;margin-block-end:4px}
          ::slotted([slot="primary-action"]){display:inline-block;margin-block-start:10px}`,
        content: [
          h("strong", { role: "heading", "aria-level": "3" }, el.getAttribute("heading") ?? ""),
          h("slot"),
          h("slot", { name: "primary-action" }),
        ],
      };
    },
  },
  "s-button": {
    attributes: ["variant", "tone", "disabled", "loading"],
    render(el, h) {
      const primary = el.getAttribute("variant") === "primary";
      const critical = el.getAttribute("tone") === "critical";
      const fg = primary ? "#fff" : critical ? "#8e0b21" : "#303030";
      const bg = primary ? (critical ? "#c70a24" : "#303030") : "#fff";
      const disabled = isOn(el, "disabled") || isOn(el, "loading");
      return {
        css: `:host{display:inline-block} :host([disabled]){pointer-events:none}
          button{all:unset;box-sizing:border-box;cursor:pointer;padding:8px 14px;border-radius:10px;font-size:14px;font-weight:600;
            color:${fg};background:${bg};box-shadow:inset 0 0 0 1px ${primary ? bg : "#d4d4d4"};text-align:center;min-block-size:36px}
          button:hover{filter:brightness(.95)} button:focus-visible{outline:3px solid #2c6ecb;outline-offset:2px}
          button:disabled{opacity:.5;cursor:not-allowed}`,
        content: [
          h("button", { type: "button", disabled, part: "button" }, isOn(el, "loading") ? "…" : null, h("slot")),
        ],
      };
    },
  },
  "s-stack": {
    attributes: [
      "direction",
      "gap",
      "rowgap",
      "columngap",
      "alignitems",
      "aligncontent",
      "justifycontent",
      "padding",
      "inlinesize",
      "blocksize",
    ],
    render(el, h) {
      const inline = el.getAttribute("direction") === "inline";
      return {
        css: `:host{display:flex;box-sizing:border-box;flex-direction:${inline ? "row" : "column"};${inline ? "flex-wrap:wrap;" : ""}
          gap:${spacing(el.getAttribute("gap"), inline ? "8px" : "0")};
          ${el.hasAttribute("rowgap") ? `row-gap:${spacing(el.getAttribute("rowgap"))};` : ""}
          ${el.hasAttribute("columngap") ? `column-gap:${spacing(el.getAttribute("columngap"))};` : ""}
          align-items:${el.getAttribute("alignitems") ?? (inline ? "center" : "stretch")};
          align-content:${el.getAttribute("aligncontent") ?? "normal"};
          justify-content:${el.getAttribute("justifycontent") ?? "flex-start"};
          padding:${spacing(el.getAttribute("padding"))};
          ${el.hasAttribute("inlinesize") ? `inline-size:${el.getAttribute("inlinesize")};` : ""}
          ${el.hasAttribute("blocksize") ? `block-size:${el.getAttribute("blocksize")};` : ""}}`,
        content: [h("slot")],
      };
    },
  },
  "s-box": {
    attributes: ["padding", "inlinesize", "blocksize"],
    render(el, h) {
      return {
        css: `:host{display:block;box-sizing:border-box;padding:${spacing(el.getAttribute("padding"))};
          ${el.hasAttribute("inlinesize") ? `inline-size:${el.getAttribute("inlinesize")};` : ""}
          ${el.hasAttribute("blocksize") ? `block-size:${el.getAttribute("blocksize")};` : ""}}`,
        content: [h("slot")],
      };
    },
  },
  "s-divider": {
    attributes: [],
    render() {
      return { css: ":host{display:block;block-size:1px;background:#e3e3e3;margin:4px 0}", content: [] };
    },
  },
  "s-spinner": {
    attributes: [],
    render(_el, h) {
      return {
        css: `:host{display:inline-block} span{display:inline-block;inline-size:18px;block-size:18px;border-radius:50%;
          border:3px solid #d4d4d4;border-block-start-color:#303030;animation:spin .8s linear infinite}
          @keyframes spin{to{transform:rotate(360deg)}}`,
        content: [h("span", { role: "progressbar", "aria-label": "Loading" })],
      };
    },
  },
};

/** Input fields keep their <input> across attribute changes, so typing never loses focus. */
const FIELDS: Record<string, { inputMode: string }> = {
  "s-text-field": { inputMode: "text" },
  "s-number-field": { inputMode: "decimal" },
};

export const PREVIEW_ELEMENT_TAGS = [...Object.keys(SPECS), ...Object.keys(FIELDS)];

/** Base styles of a frame document, and a visible mark on any `s-*` tag the preview lacks. */
export const FRAME_CSS = `
  html,body{margin:0;block-size:100%}
  body{font-family:-apple-system,BlinkMacSystemFont,"SF Pro Text","Segoe UI",Roboto,Inter,sans-serif;color:#1a1a1a;
    background:transparent;-webkit-font-smoothing:antialiased}
  :not(:defined){outline:2px dashed #c70a24;outline-offset:2px}
`;

/** Defines every stand-in element in `frameWindow` (classes must come from that realm). */
export function definePreviewElements(frameWindow: FrameWindow): void {
  const registry = frameWindow.customElements;
  const doc = frameWindow.document;

  const h: Builder = (tag, props = {}, ...children) => {
    const node = doc.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== false) node.append(child);
    return node;
  };

  for (const [tag, spec] of Object.entries(SPECS)) {
    if (!registry.get(tag)) registry.define(tag, elementClass(frameWindow, spec, h));
  }
  for (const [tag, field] of Object.entries(FIELDS)) {
    if (!registry.get(tag)) registry.define(tag, fieldClass(frameWindow, field.inputMode));
  }
}

const FIELD_CSS = `:host{display:block;min-inline-size:180px}
  label{display:flex;flex-direction:column;gap:4px;font-size:13px;font-weight:600;color:#303030}
  input{font:inherit;font-size:15px;font-weight:450;padding:8px 10px;border-radius:8px;border:1px solid #8a8a8a;background:#fff}
  input:focus{outline:2px solid #2c6ecb;outline-offset:1px}
  .error{color:#8e0b21;font-size:13px;font-weight:450} .error:empty{display:none}`;

/**
 * A text or number field: `value` is a property (as on POS), `input` bubbles out of the
 * shadow root as it does natively, and `change` is re-sent from the host (it does not).
 */
function fieldClass(frameWindow: FrameWindow, inputMode: string): CustomElementConstructor {
  // Member names must not collide with the element's props (label, error, …): Preact sets a
  // prop as a property when the element has one, which would overwrite the member.
  return class PreviewField extends frameWindow.HTMLElement {
    static get observedAttributes() {
      return ["label", "error", "placeholder", "disabled", "details"];
    }
    readonly shadow: ShadowRoot = this.attachShadow({ mode: "open" });
    readonly inputNode: HTMLInputElement = this.ownerDocument.createElement("input");
    readonly captionNode: HTMLSpanElement = this.ownerDocument.createElement("span");
    readonly errorNode: HTMLSpanElement = this.ownerDocument.createElement("span");
    get value(): string {
      return this.inputNode.value;
    }
    set value(next: unknown) {
      const text = next === null || next === undefined ? "" : String(next);
      if (this.inputNode.value !== text) this.inputNode.value = text;
    }
    connectedCallback() {
      if (this.shadow.childElementCount > 0) return this.decorate();
      const style = this.ownerDocument.createElement("style");
      style.textContent = FIELD_CSS;
      const label = this.ownerDocument.createElement("label");
      this.inputNode.setAttribute("inputmode", inputMode);
      this.inputNode.addEventListener("change", () => this.dispatchEvent(new frameWindow.Event("change")));
      this.errorNode.className = "error";
      label.append(this.captionNode, this.inputNode, this.errorNode);
      this.shadow.replaceChildren(style, label);
      this.decorate();
    }
    attributeChangedCallback() {
      if (this.isConnected) this.decorate();
    }
    decorate() {
      this.captionNode.textContent = this.getAttribute("label") ?? "";
      this.errorNode.textContent = this.getAttribute("error") ?? "";
      this.inputNode.placeholder = this.getAttribute("placeholder") ?? "";
      this.inputNode.disabled = isOn(this, "disabled");
      this.inputNode.setAttribute("aria-invalid", this.getAttribute("error") ? "true" : "false");
    }
  };
}

// One class per tag, made in a function of its own: plain members only, because the app's
// build lowers `#private` methods to helpers that a loop would share between the classes.
function elementClass(frameWindow: FrameWindow, spec: ElementSpec, h: Builder): CustomElementConstructor {
  return class PreviewElement extends frameWindow.HTMLElement {
    static get observedAttributes() {
      return spec.attributes;
    }
    readonly shadow: ShadowRoot = this.attachShadow({ mode: "open" });
    connectedCallback() {
      this.redraw();
    }
    attributeChangedCallback() {
      if (this.isConnected) this.redraw();
    }
    redraw() {
      const { css, content } = spec.render(this, h);
      const style = this.ownerDocument.createElement("style");
      style.textContent = css;
      this.shadow.replaceChildren(style, ...content);
    }
  };
}

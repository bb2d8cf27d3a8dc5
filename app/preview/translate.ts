/**
 * shopify.i18n.translate for the preview, over the extension's locales/en.default.json:
 * dotted keys, {{name}} interpolation, and `count` choosing the plural form (one/other/…).
 */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

export function createTranslator(translations: Record<string, unknown>, locale: string): Translate {
  const plurals = new Intl.PluralRules(locale);
  return (key, options = {}) => {
    let entry: unknown = key
      .split(".")
      .reduce<unknown>(
        (node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined),
        translations,
      );
    if (entry && typeof entry === "object" && typeof options.count === "number") {
      const forms = entry as Record<string, unknown>;
      entry = forms[plurals.select(options.count)] ?? forms.other;
    }
    // Like POS, a missing translation shows its key: visible in the preview, never a crash.
    if (typeof entry !== "string") return key;
    return entry.replace(/\{\{\s*(\w+)\s*\}\}/g, (placeholder, name: string) =>
      name in options ? String(options[name]) : placeholder,
    );
  };
}

/**
 * Text from outside (a register, a webhook) that is kept and shown again. Unicode of any script,
 * emoji and direction marks are data; C0 control characters (NUL, BEL, ESC, ...) and DEL are not
 * text a person typed: NUL cannot even be stored in PostgreSQL, and ESC sequences would reach
 * terminals reading the logs. Tab, line feed and carriage return stay (multi-line notes). Lone
 * UTF-16 surrogates are not Unicode at all: they cannot be encoded to UTF-8 as sent.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` is well-formed Unicode without control characters (tab and newlines allowed). */
export function isPlainText(text: string): boolean {
  return !CONTROL.test(text) && !LONE_SURROGATE.test(text);
}

/** `text` with control characters removed and lone surrogates replaced by U+FFFD. */
export function plainText(text: string): string {
  return text.replace(new RegExp(LONE_SURROGATE.source, "g"), "\uFFFD").replace(new RegExp(CONTROL.source, "g"), "");
}

/**
 * Escaping for the three text sinks a report writes into: HTML text/attributes, link targets and
 * Markdown. Everything user-supplied (titles, claims, table cells, config values) goes through
 * these, so a `<script>` in an experiment title is shown, never run.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A link target that is safe to put in href: http(s), mailto, in-page anchors and relative paths.
 * Anything with another scheme (javascript:, data:, vbscript:, file:) returns null, so callers render
 * plain text instead of a link. Control characters and whitespace inside the scheme are what browsers
 * ignore when sniffing `java\nscript:`, so they are stripped before the check.
 */
export function safeHref(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === '') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop control characters in a URL scheme, so the probe must too
  const probe = trimmed.replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(probe);
  if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!)) return null;
  return trimmed;
}

/**
 * Markdown inline text: backslash-escape what would start raw HTML (`<`) or an entity (`&amp;`),
 * and fold line breaks, so the file stays readable as plain text in a terminal too.
 */
export function escapeMarkdownText(value: unknown): string {
  return String(value)
    .replace(/</g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/\r?\n/g, ' ');
}

/** A Markdown table cell: as text, plus `|` (column separator) escaped. */
export function escapeMarkdownCell(value: unknown): string {
  return escapeMarkdownText(value).replace(/\|/g, '\\|');
}

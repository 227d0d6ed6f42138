/**
 * The small Markdown subset a report summary is written in: paragraphs (blank-line separated),
 * `- ` bullet lists, **bold**, *italic*, `code` and [links](url). No raw HTML passes through:
 * text is escaped first and only the tags below are produced, so the report stays inert and
 * self-contained. (A full Markdown library would be a dependency for two paragraphs of text.)
 */
import { escapeHtml, safeHref } from './escape.ts';

/** Inline formatting of one paragraph or list item. */
export function inlineMarkdownToHtml(text: string): string {
  // Code spans first: their content is literal, so it is split out before any other rule runs.
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      return formatText(part);
    })
    .join('');
}

function formatText(raw: string): string {
  // Links are found on the raw text (their URL must not be escaped twice), everything else is escaped.
  const out: string[] = [];
  const linkRe = /\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = linkRe.exec(raw); m; m = linkRe.exec(raw)) {
    out.push(emphasis(escapeHtml(raw.slice(last, m.index))));
    const href = safeHref(m[2]!);
    const label = emphasis(escapeHtml(m[1]!));
    out.push(href === null ? label : `<a href="${escapeHtml(href)}">${label}</a>`);
    last = m.index + m[0].length;
  }
  out.push(emphasis(escapeHtml(raw.slice(last))));
  return out.join('');
}

/** Bold and italic on already-escaped text (the markers `*` and `_` are not touched by escaping). */
function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>');
}

/** Block structure: paragraphs and bullet lists; single newlines inside a paragraph are spaces. */
export function markdownToHtml(markdown: string): string {
  const blocks = markdown.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  const html: string[] = [];
  for (const block of blocks) {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => /^[-*] /.test(l))) {
      html.push(`<ul>${lines.map((l) => `<li>${inlineMarkdownToHtml(l.slice(2))}</li>`).join('')}</ul>`);
    } else {
      html.push(`<p>${inlineMarkdownToHtml(lines.join(' '))}</p>`);
    }
  }
  return html.join('\n');
}

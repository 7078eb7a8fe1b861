/**
 * The report's protocol section: each study's search stage and its deviations from the paper, the
 * same lists the findings README shows (src/evidence/protocol-text.ts), as HTML.
 */
import { escapeHtml } from "../plot/html";
import {
  DEVIATIONS_INTRO,
  PROTOCOL_TITLE,
  protocolLines,
  SEARCHES_INTRO,
} from "../evidence/protocol-text";
import type { ReportData } from "../evidence/runs";

/** One markdown list item's text as HTML: escaped, with **bold**, *italic* and `code`. */
function inline(md: string): string {
  return escapeHtml(md)
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/\*(.+?)\*/g, "<i>$1</i>")
    .replace(/`(.+?)`/g, "<code>$1</code>");
}

/** Markdown list lines ("- a", "  - b") as a nested HTML list (two levels). */
function listHtml(lines: readonly string[]): string {
  const items: { text: string; children: string[] }[] = [];
  for (const line of lines) {
    const text = inline(line.replace(/^\s*- /, ""));
    const last = items[items.length - 1];
    if (line.startsWith("  - ") && last) last.children.push(`<li>${text}</li>`);
    else items.push({ text, children: [] });
  }
  const li = (i: { text: string; children: string[] }): string =>
    `<li>${i.text}${i.children.length ? `<ul>${i.children.join("")}</ul>` : ""}</li>`;
  return `<ul>\n${items.map(li).join("\n")}\n</ul>`;
}

/** The protocol section of every preset the report holds; empty when no study declares one. */
export function protocolHtml(data: ReportData): string {
  const presets = [...new Set(data.sections.map((s) => s.preset))];
  const parts = presets.flatMap((preset) => {
    const { searches, deviations } = protocolLines(data, preset);
    if (!searches.length && !deviations.length) return [];
    const tag = presets.length > 1 ? ` (preset ${escapeHtml(preset)})` : "";
    return [
      `<h2 id="protocol-${escapeHtml(preset)}">${escapeHtml(PROTOCOL_TITLE)}${tag}</h2>`,
      ...(searches.length ? [`<p>${escapeHtml(SEARCHES_INTRO)}</p>`, listHtml(searches)] : []),
      ...(deviations.length
        ? [`<p>${escapeHtml(DEVIATIONS_INTRO)}</p>`, listHtml(deviations)]
        : []),
    ];
  });
  return parts.join("\n");
}

/**
 * Shows an arquero table in a notebook: an HTML table plus a Markdown text version in one output
 * (through the same display path as the plots); outside a kernel it prints the Markdown.
 */
import type * as aq from "arquero";
import { displayBundle } from "../plot/display";

/** Options for {@link displayTable}. */
export interface DisplayTableOptions {
  /** Rows shown at most. */
  limit: number;
  /** Digits of numbers. */
  digits: number;
}

/** Defaults for {@link DisplayTableOptions}. */
export const DISPLAY_TABLE_DEFAULTS: Readonly<DisplayTableOptions> = Object.freeze({
  limit: 100,
  digits: 4,
});

/** Displays `table` inline (HTML with a Markdown fallback); returns nothing so the cell shows nothing else. */
export function displayTable(
  table: aq.ColumnTable,
  options: Partial<DisplayTableOptions> = {},
): void {
  const o: DisplayTableOptions = { ...DISPLAY_TABLE_DEFAULTS, ...options };
  const format = { limit: o.limit, digits: o.digits };
  const markdown = table.toMarkdown(format);
  const shown = displayBundle({
    "text/html": table.toHTML(format),
    "text/markdown": markdown,
    "text/plain": markdown,
  });
  if (!shown) console.log(markdown);
}

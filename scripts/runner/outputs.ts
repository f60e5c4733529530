/**
 * What the runner does with outputs, apart from producing them: the text it compares for
 * `--check`, the figure ids and PNGs a notebook carries, and the results table; and which
 * notebooks a run takes.
 */
import * as fs from "fs";
import * as path from "path";
import { FIGURE_METADATA_KEY, PLOTLY_MIME, type FigureInfo } from "../../lib/plots/figure";
import { type Notebook, type Output, joinSource, splitLines } from "./nbformat";

import type { NotebookResult } from "./run";

export const VOLATILE_KEY = "passk_volatile";

/**
 * The text-like view of a cell's outputs that --check compares (images and volatile outputs
 * skipped).
 */
export function comparableOutputs(outs: Output[]): string[] {
  const lines: string[] = [];
  for (const o of outs) {
    if (o.output_type === "stream") {
      lines.push(`${o.name}: ${joinSource(o.text)}`);
    } else if (o.output_type === "error") {
      lines.push(`error: ${o.ename}: ${o.evalue}`);
    } else {
      if ((o.metadata as Record<string, unknown>)?.[VOLATILE_KEY]) continue;
      for (const [mime, value] of Object.entries(o.data).sort(([a], [b]) => a.localeCompare(b))) {
        if (mime.startsWith("image/")) continue;
        lines.push(
          `${mime}: ${typeof value === "string" ? value : Array.isArray(value) ? value.join("") : JSON.stringify(value)}`,
        );
      }
    }
  }
  return lines;
}

export function firstDifference(a: string[], b: string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (s: string | undefined) =>
        s === undefined ? "(nothing)" : JSON.stringify(s.length > 160 ? s.slice(0, 160) + "…" : s);
      return `output ${i + 1}: committed ${show(a[i])} vs now ${show(b[i])}`;
    }
  }
  return "";
}

export function figureIds(nb: Notebook): string[] {
  const ids: string[] = [];
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs) {
      const info =
        o.output_type === "display_data"
          ? (o.metadata?.[FIGURE_METADATA_KEY] as FigureInfo | undefined)
          : undefined;
      if (info) ids.push(info.id);
    }
  }
  return ids;
}

/**
 * Figures whose Plotly data is unchanged (same JSON, styling included) get their committed PNG
 * back, before any rendering: outputs stay byte-stable across runs and fresh clones, and a PNG
 * that cannot be regenerated here (no Chromium, --no-png) is kept rather than stripped. Figures
 * whose data changed, or are new, are rendered. To force a re-render, clear the outputs.
 */
export function keepCommittedPngs(nb: Notebook, committed: Notebook): void {
  const pngs = new Map<string, unknown>();
  for (const c of committed.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs ?? []) {
      if (o.output_type !== "display_data" || !o.data[PLOTLY_MIME] || !o.data["image/png"])
        continue;
      pngs.set(JSON.stringify(o.data[PLOTLY_MIME]), o.data["image/png"]);
    }
  }
  if (pngs.size === 0) return;
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs) {
      if (o.output_type !== "display_data" || !o.data[PLOTLY_MIME] || o.data["image/png"]) continue;
      const png = pngs.get(JSON.stringify(o.data[PLOTLY_MIME]));
      if (png !== undefined) o.data["image/png"] = png;
    }
  }
}

/** Store multi-line text the way Jupyter does (a list of lines). */
export function normaliseOutput(o: Output): Output {
  if (o.output_type === "stream") return { ...o, text: splitLines(joinSource(o.text)) };
  if (o.output_type === "display_data" || o.output_type === "execute_result") {
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o.data)) {
      data[k] =
        typeof v === "string" && (k.startsWith("text/") || k === "image/svg+xml")
          ? splitLines(v)
          : v;
    }
    return { ...o, data };
  }
  return o;
}

export function formatTable(results: NotebookResult[]): string {
  const rows = [["notebook", "cells", "seconds", "status", "figures"]];
  for (const r of results) {
    rows.push([
      r.notebook,
      `${r.executed}/${r.cells}`,
      r.seconds.toFixed(1),
      r.status,
      String(r.figureIds.length),
    ]);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const line = (r: string[]) =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
  return [
    line(rows[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** Notebooks in a folder, in reading order (by file name). */
export function discoverNotebooks(dir: string, filters: string[]): string[] {
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort();
  const picked = filters.length
    ? all.filter((f) => filters.some((q) => f === q || f.startsWith(q) || f.includes(q)))
    : all;
  return picked.map((f) => path.join(dir, f));
}

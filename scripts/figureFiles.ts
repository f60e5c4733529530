/**
 * The files side of figure export: collecting figures from executed notebooks, the standalone
 * HTML of one figure, and figures/INDEX.md (writing it, and reading back its rows).
 */
import * as fs from "fs";
import { escapeHtml } from "../lib/export/display";
import * as path from "path";
import {
  FIGURE_METADATA_KEY,
  PLOTLY_MIME,
  type FigureInfo,
  type PlotlyFigure,
} from "../lib/plots/figure";
import { figureSize, type StylePreset } from "../lib/plots/style";
import { galleryMarkdown } from "./figureOptions";
import { type ImageFormat } from "../lib/export/render";

/** A figure found in a notebook, with notebook and builder filled in. */
export interface CollectedFigure {
  info: Required<Pick<FigureInfo, "id" | "caption" | "notebook">> & { builder?: string };
  figure: PlotlyFigure;
  /** "notebooks/02-pass-at-k-reweighting.ipynb, cell 7" — for messages. */
  where: string;
}

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const STATIC_FORMATS: readonly ImageFormat[] = ["svg", "png", "pdf"];
export const ALL_EXTENSIONS = ["html", ...STATIC_FORMATS] as const;
/** File name of the Plotly bundle next to the HTML files (relative, survives copying). */
export const PLOTLY_FILE = "plotly.min.js";
export const PNG_SCALE = 2;

/**
 * Reads `<dir>/*.ipynb` (sorted by name; or only `files`, names in that folder) and returns
 * their figures in notebook order. Problems (unreadable notebook, bad id, duplicate id, figure
 * metadata without a Plotly bundle) are returned as messages; the affected figure is left out.
 */
export function collectFigures(
  notebooksDir: string,
  files?: readonly string[],
): {
  figures: CollectedFigure[];
  problems: string[];
  /** Notebooks read this run (file names, and the names their figures give): only their
   * figures can be judged gone. */
  read: Set<string>;
} {
  const figures: CollectedFigure[] = [];
  const problems: string[] = [];
  const read = new Set<string>();
  const seen = new Map<string, string>();
  const names =
    files ??
    fs
      .readdirSync(notebooksDir)
      .filter((f) => f.endsWith(".ipynb"))
      .sort();
  for (const file of names) {
    const nbPath = path.join(notebooksDir, file);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field below
    let nb: any;
    try {
      nb = JSON.parse(fs.readFileSync(nbPath, "utf8"));
    } catch (err) {
      problems.push(`${nbPath}: not a readable notebook (${(err as Error).message})`);
      continue;
    }
    if (!Array.isArray(nb?.cells)) {
      problems.push(`${nbPath}: not a notebook (no "cells" list)`);
      continue;
    }
    read.add(file);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const cells: any[] = nb.cells;
    cells.forEach((cell, c) => {
      for (const output of Array.isArray(cell?.outputs) ? cell.outputs : []) {
        const meta = output?.metadata?.[FIGURE_METADATA_KEY] as FigureInfo | undefined;
        if (meta === undefined) continue;
        const where = `${nbPath}, cell ${c}`;
        const id = meta?.id;
        if (typeof id !== "string" || !ID_PATTERN.test(id)) {
          problems.push(`${where}: figure id must match [a-z0-9-]+, got ${JSON.stringify(id)}`);
          continue;
        }
        if (seen.has(id)) {
          problems.push(
            `figure ${JSON.stringify(id)}: id used twice (${seen.get(id)} and ${where}); keeping the first`,
          );
          continue;
        }
        seen.set(id, where);
        if (typeof meta.notebook === "string") read.add(meta.notebook);
        const figure = output?.data?.[PLOTLY_MIME];
        if (figure === undefined) {
          problems.push(
            `figure ${JSON.stringify(id)} (${where}): output has ${FIGURE_METADATA_KEY} metadata but no ${PLOTLY_MIME} data`,
          );
          continue;
        }
        figures.push({
          info: {
            id,
            caption: typeof meta.caption === "string" ? meta.caption : "",
            notebook: meta.notebook ?? file,
            builder:
              meta.builder ?? (typeof figure?.builder === "string" ? figure.builder : undefined),
          },
          figure,
          where,
        });
      }
    });
  }
  return { figures, problems, read };
}

/** JSON safe inside a <script> element (no "</script>", no "<!--"). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * A standalone page showing one styled figure, loading Plotly from `plotlySrc`
 * (default ./plotly.min.js, relative so the folder can be moved as a whole).
 */
export function standaloneHtml(
  fig: PlotlyFigure,
  info: FigureInfo,
  plotlySrc = PLOTLY_FILE,
): string {
  const { width, height } = figureSize(fig);
  const source = [info.notebook, info.builder && `${info.builder}()`].filter(Boolean).join(" · ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.caption || info.id)}</title>
<style>
  body { margin: 16px; font-family: Arial, 'Liberation Sans', Helvetica, sans-serif; color: #222; }
  #figure { width: ${width}px; max-width: 100%; height: ${height}px; }
  figcaption { max-width: ${width}px; margin-top: 8px; font-size: 14px; }
  figcaption small { color: #666; }
</style>
<script src="${escapeHtml(plotlySrc)}"></script>
</head>
<body>
<figure style="margin:0">
<div id="figure"></div>
<figcaption>${escapeHtml(info.caption)}<br><small>${escapeHtml(info.id)}${source ? ` — ${escapeHtml(source)}` : ""}</small></figcaption>
</figure>
<script>
  var fig = ${scriptJson({ data: fig.data, layout: fig.layout, config: { ...fig.config, responsive: true } })};
  if (typeof Plotly === "undefined") {
    document.getElementById("figure").textContent = "Plotly did not load: keep ${PLOTLY_FILE} next to this file.";
  } else {
    Plotly.newPlot("figure", fig.data, fig.layout, fig.config);
  }
</script>
</body>
</html>
`;
}

/**
 * figures/INDEX.md: one row per figure, listing the files that exist in `outDir`; `kept` rows
 * (figures of notebooks not read this run, from the previous INDEX.md) are kept as they were.
 * Rows are ordered by notebook.
 */
export function indexMarkdown(
  figures: readonly CollectedFigure[],
  outDir: string,
  preset: StylePreset,
  kept: readonly IndexRow[] = [],
  previousFiles: ReadonlyMap<string, string> = new Map(),
): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const rows = figures.map(({ info }) => {
    const files =
      previousFiles.get(info.id) ??
      ALL_EXTENSIONS.filter((ext) => fs.existsSync(path.join(outDir, `${info.id}.${ext}`)))
        .map((ext) => `[${ext}](${info.id}.${ext})`)
        .join(" · ");
    const builder = info.builder ? `\`${info.builder}\`` : "—";
    return {
      notebook: info.notebook,
      line: `| ${info.id} | ${files || "(not written)"} | ${cell(info.notebook)} | ${builder} | ${cell(info.caption)} |`,
    };
  });
  const all = [...rows, ...kept.map(({ notebook, line }) => ({ notebook, line }))];
  // Stable: the figures of one notebook stay in notebook order.
  all.sort((a, b) => (a.notebook < b.notebook ? -1 : a.notebook > b.notebook ? 1 : 0));
  return [
    "<!-- Generated by `npm run figures`; do not edit by hand. -->",
    "# Figures",
    "",
    `Style preset: \`${preset}\`. Each HTML file loads \`${PLOTLY_FILE}\` from this folder; copy the`,
    "folder as a whole. SVG and PDF are vector (PDF page = figure size, 96 px = 1 in); PNG is at 2× scale.",
    "Only the PNGs are committed: HTML, SVG and PDF are written here by `npm start` or `npm run figures`.",
    "Each PNG carries a `passk-source` text chunk (what it was rendered from): an unchanged figure keeps its PNG.",
    "",
    "| Figure | Files | Notebook | Builder | Caption |",
    "|---|---|---|---|---|",
    ...all.map((r) => r.line),
    "",
    galleryMarkdown(figures, (file) => fs.existsSync(path.join(outDir, file))),
  ].join("\n");
}

/** One figure row of an INDEX.md: id, notebook (unescaped), Files cell and the row as written. */
export interface IndexRow {
  id: string;
  notebook: string;
  files: string;
  line: string;
}

/** The figure rows of an INDEX.md written by `indexMarkdown` (none if absent). */
export function indexedRows(indexFile: string): IndexRow[] {
  if (!fs.existsSync(indexFile)) return [];
  const text = fs.readFileSync(indexFile, "utf8");
  if (!text.startsWith("<!-- Generated by `npm run figures`")) return [];
  return [
    ...text.matchAll(/^\| ([a-z0-9][a-z0-9-]*) \| ([^|]*) \| ((?:\\\||[^|])*?) \| .*$/gm),
  ].map((m) => ({ id: m[1], files: m[2], notebook: m[3].replace(/\\\|/g, "|"), line: m[0] }));
}

/** Figure ids listed in an INDEX.md written by `indexMarkdown` (none if absent). */
export function indexedIds(indexFile: string): string[] {
  return indexedRows(indexFile).map((r) => r.id);
}

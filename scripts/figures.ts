/**
 * `npm run figures [-- --preset notebook|screen|paper|paper-double|slides] [--width PX]
 *                    [--font-size PX] [--no-title] [--formats svg,png,pdf,html] [--only ID,ID]
 *                    [--require-static] [--notebooks DIR] [--out DIR]`  (scripts/figureOptions.ts)
 *
 * Collects every figure the executed notebooks show (display outputs whose metadata has
 * `passk_figure`), and writes to the output folder (default figures/):
 *   <id>.html  standalone and offline: loads ./plotly.min.js, copied into the same folder,
 *              so the folder can be copied or zipped as a whole;
 *   <id>.svg, <id>.png (scale 2), <id>.pdf  via one headless Chromium for the whole batch;
 *   INDEX.md   generated: figure files → notebook → builder → caption.
 * Without Chromium only HTML is written, one line says how to get the rest, exit code 0
 * (non-zero with --require-static). A malformed figure is reported by id, the others are
 * still written, and the exit code is 1.
 */
import * as fs from "fs";
import { UnsafeTargetError, writeFileAtomic } from "../lib/export/atomicFile";
import { escapeHtml } from "../lib/export/display";
import * as path from "path";
import {
  FIGURE_METADATA_KEY,
  PLOTLY_MIME,
  type FigureInfo,
  type PlotlyFigure,
} from "../lib/plots/figure";
import { applyStyle, figureSize, type StyleOptions, type StylePreset } from "../lib/plots/style";
import {
  checkOnly,
  galleryMarkdown,
  parseFigureArgs,
  USAGE,
  UsageError,
  type OutputFormat,
} from "./figureOptions";
import {
  CHROMIUM_HINT,
  checkFigure,
  openRenderer,
  plotlyBundlePath,
  type BatchResult,
  type ImageFormat,
  type Renderer,
} from "../lib/export/render";

/** A figure found in a notebook, with notebook and builder filled in. */
export interface CollectedFigure {
  info: Required<Pick<FigureInfo, "id" | "caption" | "notebook">> & { builder?: string };
  figure: PlotlyFigure;
  /** "notebooks/02-pass-at-k-reweighting.ipynb, cell 7" — for messages. */
  where: string;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const STATIC_FORMATS: readonly ImageFormat[] = ["svg", "png", "pdf"];
const ALL_EXTENSIONS = ["html", ...STATIC_FORMATS] as const;
/** File name of the Plotly bundle next to the HTML files (relative, survives copying). */
export const PLOTLY_FILE = "plotly.min.js";
const PNG_SCALE = 2;

/**
 * Reads `<dir>/*.ipynb` (sorted by name) and returns their figures in notebook order.
 * Problems (unreadable notebook, bad id, duplicate id, figure metadata without a Plotly
 * bundle) are returned as messages; the affected figure is left out.
 */
export function collectFigures(notebooksDir: string): {
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
  const files = fs
    .readdirSync(notebooksDir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  for (const file of files) {
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

/** Temp file + rename, so readers never see half a file (shared with the notebook runner). */
export { writeFileAtomic };

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
): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const rows = figures.map(({ info }) => {
    const files = ALL_EXTENSIONS.filter((ext) =>
      fs.existsSync(path.join(outDir, `${info.id}.${ext}`)),
    )
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
    "",
    "| Figure | Files | Notebook | Builder | Caption |",
    "|---|---|---|---|---|",
    ...all.map((r) => r.line),
    "",
    galleryMarkdown(figures, (file) => fs.existsSync(path.join(outDir, file))),
  ].join("\n");
}

export interface ExportOptions {
  notebooksDir: string;
  outDir: string;
  preset: StylePreset;
  /** Style overrides (--width, --font-size, --no-title). */
  style?: StyleOptions;
  /** Formats to write (default all: html, svg, png, pdf). */
  formats?: readonly OutputFormat[];
  /** Export only these ids (INDEX.md still lists every figure). */
  only?: readonly string[];
  /** Fail (exit non-zero) when Chromium is missing. */
  requireStatic?: boolean;
  /**
   * Chromium to use; default: findChromium() ($CHROMIUM_PATH or /usr/bin/chromium); "none" for HTML
   * only.
   */
  executablePath?: string;
  /** An open renderer to reuse (it is left open); `null` means HTML only. Default: open one. */
  renderer?: Renderer | null;
  /** Line printer (default console.log). */
  log?: (line: string) => void;
}

export interface ExportResult {
  /** Ids written (HTML always; static formats when a browser was available). */
  written: string[];
  /** One message per failure (bad figure, missing id, notebook problem). */
  errors: string[];
  /** Layout problems that do not fail the export (text outside the image). */
  warnings: string[];
  formats: string[];
  staticAvailable: boolean;
  seconds: number;
  browserStartSeconds: number;
  exitCode: number;
}

/** The work of `npm run figures`, callable from other scripts (e.g. after the notebooks run). */
export async function exportFigures(opts: ExportOptions): Promise<ExportResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  const wanted: readonly string[] = opts.formats ?? ALL_EXTENSIONS;
  const { figures, problems, read } = collectFigures(opts.notebooksDir);
  const errors = [...problems];
  if (read.size === 0)
    errors.push(`no readable notebook in ${opts.notebooksDir}: nothing exported, nothing deleted`);
  let selected = figures;
  if (opts.only && opts.only.length > 0) {
    const wanted = new Set(opts.only);
    selected = figures.filter((f) => wanted.has(f.info.id));
    for (const id of wanted) {
      if (!figures.some((f) => f.info.id === id))
        errors.push(`figure ${JSON.stringify(id)}: not found in ${opts.notebooksDir}`);
    }
  }
  fs.mkdirSync(opts.outDir, { recursive: true });
  copyPlotly(opts.outDir);

  let renderer: Renderer | null = opts.renderer ?? null;
  let browserStartSeconds = 0;
  let browserFailed = false;
  if (opts.renderer === undefined && selected.length > 0) {
    const tb = performance.now();
    try {
      renderer = await openRenderer({ executablePath: opts.executablePath });
    } catch (err) {
      browserFailed = true;
      errors.push(
        `Chromium failed to start, wrote HTML only: ${(err as Error).message.split("\n")[0]}`,
      );
    }
    browserStartSeconds = (performance.now() - tb) / 1000;
  }
  const written: string[] = [];
  const warnings: string[] = [];
  const spentBefore = renderer?.timings();
  const failed = (id: string, err: unknown) => {
    errors.push((err as Error).message);
    // A figure that no longer exports must not leave last run's files looking current.
    for (const ext of ALL_EXTENSIONS)
      fs.rmSync(path.join(opts.outDir, `${id}.${ext}`), { force: true });
  };
  try {
    const ready: { info: CollectedFigure["info"]; styled: PlotlyFigure }[] = [];
    for (const { info, figure } of selected) {
      try {
        checkFigure(figure, info.id);
        ready.push({ info, styled: applyStyle(figure, opts.preset, opts.style) });
      } catch (err) {
        failed(info.id, err);
      }
    }
    const staticFormats = STATIC_FORMATS.filter((f) => wanted.includes(f));
    const results: BatchResult[] =
      renderer && staticFormats.length > 0
        ? await renderer.renderBatch(
            ready.map(({ info, styled }) => ({ fig: styled, id: info.id })),
            { formats: staticFormats, scale: PNG_SCALE, warn: (w) => warnings.push(w) },
          )
        : ready.map(({ info }) => ({ id: info.id, images: {} }));
    results.forEach((result, i) => {
      const { info, styled } = ready[i];
      if (result.error) return failed(info.id, result.error);
      try {
        if (wanted.includes("html"))
          writeFileAtomic(path.join(opts.outDir, `${info.id}.html`), standaloneHtml(styled, info));
        for (const [ext, buf] of Object.entries(result.images)) {
          writeFileAtomic(path.join(opts.outDir, `${info.id}.${ext}`), buf as Buffer);
        }
        written.push(info.id);
      } catch (err) {
        failed(info.id, err);
      }
    });
  } finally {
    if (opts.renderer === undefined) await renderer?.close();
  }
  const indexFile = path.join(opts.outDir, "INDEX.md");
  // A figure loses its files only when the notebook that made it (per the previous INDEX.md)
  // was read this run and no longer shows it. Figures of notebooks not read — another folder,
  // a notebook that failed to parse — keep their files and their INDEX.md rows.
  const current = new Set(figures.map((f) => f.info.id));
  const kept: IndexRow[] = [];
  for (const row of indexedRows(indexFile)) {
    if (current.has(row.id)) continue;
    if (!read.has(row.notebook)) {
      kept.push(row);
      continue;
    }
    for (const ext of ALL_EXTENSIONS)
      fs.rmSync(path.join(opts.outDir, `${row.id}.${ext}`), { force: true });
    log(`figures: removed files of ${JSON.stringify(row.id)}, no longer in the notebooks`);
  }
  writeFileAtomic(indexFile, indexMarkdown(figures, opts.outDir, opts.preset, kept));

  const staticAvailable = renderer !== null;
  const spent = spentBefore && renderer?.timings();
  const steps = spent
    ? (Object.keys(spent) as (keyof typeof spent)[])
        .map((k) => `${k} ${((spent[k] - spentBefore![k]) / 1000).toFixed(1)}`)
        .join(", ")
    : "";
  const formats = (staticAvailable ? ["html", ...STATIC_FORMATS] : ["html"]).filter((f) =>
    wanted.includes(f),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const w of warnings) log(`warning: ${w}`);
  for (const e of errors) log(`error: ${e}`);
  log(
    `figures: ${written.length}/${selected.length} written to ${opts.outDir} (${formats.join(", ")}; preset ${opts.preset}) ` +
      `in ${seconds.toFixed(1)} s` +
      (staticAvailable
        ? ` (${opts.renderer === undefined ? `browser start ${browserStartSeconds.toFixed(1)} s; ` : ""}${steps} s)`
        : ""),
  );
  let exitCode = errors.length > 0 ? 1 : 0;
  if (!staticAvailable && selected.length > 0 && !browserFailed) {
    log(`figures: no Chromium found, wrote HTML only; ${CHROMIUM_HINT}`);
    if (opts.requireStatic) {
      log("figures: --require-static was given, failing");
      exitCode = 1;
    }
  }
  return {
    written,
    errors,
    warnings,
    formats,
    staticAvailable,
    seconds,
    browserStartSeconds,
    exitCode,
  };
}

/** One figure row of an INDEX.md: id, notebook (unescaped) and the row as written. */
export interface IndexRow {
  id: string;
  notebook: string;
  line: string;
}

/** The figure rows of an INDEX.md written by `indexMarkdown` (none if absent). */
export function indexedRows(indexFile: string): IndexRow[] {
  if (!fs.existsSync(indexFile)) return [];
  const text = fs.readFileSync(indexFile, "utf8");
  if (!text.startsWith("<!-- Generated by `npm run figures`")) return [];
  return [...text.matchAll(/^\| ([a-z0-9][a-z0-9-]*) \| [^|]* \| ((?:\\\||[^|])*?) \| .*$/gm)].map(
    (m) => ({ id: m[1], notebook: m[2].replace(/\\\|/g, "|"), line: m[0] }),
  );
}

/** Figure ids listed in an INDEX.md written by `indexMarkdown` (none if absent). */
export function indexedIds(indexFile: string): string[] {
  return indexedRows(indexFile).map((r) => r.id);
}

/**
 * Why `dir` cannot be the output folder (it or an ancestor is a file, or the nearest existing
 * ancestor is not writable), or null when it can.
 */
export function outDirProblem(dir: string): string | null {
  let probe = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(probe);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return (e as Error).message;
    }
    if (st !== undefined) {
      if (!st.isDirectory())
        return probe === path.resolve(dir)
          ? "is not a folder (it is a file)"
          : `is not a folder (${probe} is a file)`;
      try {
        fs.accessSync(probe, fs.constants.W_OK);
      } catch {
        return `is not writable (${probe})`;
      }
      return null;
    }
    const parent = path.dirname(probe);
    if (parent === probe) return "has no existing parent folder";
    probe = parent;
  }
}

/** Copies the Plotly bundle next to the HTML files unless an identical copy is there. */
function copyPlotly(outDir: string): void {
  const src = plotlyBundlePath();
  const dest = path.join(outDir, PLOTLY_FILE);
  const bundle = fs.readFileSync(src);
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(bundle)) return;
  writeFileAtomic(dest, bundle);
}

/** CLI entry point; returns the exit code. Options: scripts/figureOptions.ts. */
export async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseFigureArgs(argv);
    if (o.help) {
      console.log(USAGE);
      return 0;
    }
    if (!fs.existsSync(o.notebooksDir))
      throw new UsageError(`notebooks folder ${JSON.stringify(o.notebooksDir)} does not exist`);
    checkOnly(
      o.only,
      collectFigures(o.notebooksDir).figures.map((f) => f.info.id),
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`figures: ${err.message}\n${USAGE}`);
    return 2;
  }
  const outProblem = outDirProblem(o.outDir);
  if (outProblem !== null) {
    console.error(`figures: --out ${o.outDir} ${outProblem}`);
    return 2;
  }
  const result = await exportFigures({
    notebooksDir: o.notebooksDir,
    outDir: o.outDir,
    preset: o.preset,
    style: o.style,
    formats: o.formats,
    only: o.only,
    requireStatic: o.requireStatic,
  });
  return result.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // A refused or failed file write is one line; anything else is a bug: full stack.
      const e = err as NodeJS.ErrnoException;
      console.error(
        e instanceof UnsafeTargetError || typeof e?.code === "string" ? `figures: ${e.message}` : e,
      );
      process.exitCode = 1;
    },
  );
}

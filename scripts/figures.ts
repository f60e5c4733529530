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
import * as path from "path";
import { type StyleOptions, type StylePreset } from "../lib/plots/style";
import { checkOnly, parseFigureArgs, USAGE, UsageError, type OutputFormat } from "./figureOptions";
import { CHROMIUM_HINT, openRenderer, type Renderer } from "../lib/export/render";
import {
  ALL_EXTENSIONS,
  collectFigures,
  indexedRows,
  indexMarkdown,
  STATIC_FORMATS,
  type IndexRow,
} from "./figureFiles";
import {
  copyPlotly,
  exportBatch,
  exportSettings,
  figureKey,
  type EarlyExportResult,
} from "./figureExport";

/** Re-exported for the export tests, which write through the same atomic path. */
export { writeFileAtomic };
export {
  collectFigures,
  indexedIds,
  indexedRows,
  indexMarkdown,
  PLOTLY_FILE,
  standaloneHtml,
  type CollectedFigure,
  type IndexRow,
} from "./figureFiles";

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
  /**
   * Figures this run already exported (`npm start` exports each notebook's figures as soon as
   * it is written: scripts/figureExport.ts `startEarlyExport`). A selected figure whose info
   * and Plotly data are what was exported keeps those files and messages; the rest are
   * rendered here. Ignored unless made with the same preset, style and formats.
   */
  done?: EarlyExportResult;
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
  const wanted: readonly OutputFormat[] = opts.formats ?? ALL_EXTENSIONS;
  const done =
    opts.done?.settings === exportSettings(opts.preset, opts.style, wanted) ? opts.done : undefined;
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
  // Figures already exported this run, unchanged since, keep those files and messages.
  const toRender = selected.filter((f) => {
    const o = done?.outcomes.get(f.info.id);
    return o === undefined || o.key !== figureKey(f);
  });

  let renderer: Renderer | null = opts.renderer ?? null;
  let browserStartSeconds = 0;
  let browserFailed = false;
  if (opts.renderer === undefined && toRender.length > 0) {
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
  try {
    const fresh = await exportBatch(toRender, {
      outDir: opts.outDir,
      preset: opts.preset,
      style: opts.style,
      wanted,
      renderer,
    });
    for (const f of selected) {
      const o = fresh.get(f.info.id) ?? done!.outcomes.get(f.info.id)!;
      warnings.push(...o.warnings);
      errors.push(...o.errors);
      if (o.written) written.push(f.info.id);
    }
  } finally {
    if (opts.renderer === undefined) await renderer?.close();
  }
  const indexFile = path.join(opts.outDir, "INDEX.md");
  // A figure loses its files only when the notebook that made it (per the previous INDEX.md)
  // was read this run and no longer shows it. Figures of notebooks not read — another folder,
  // a notebook that failed to parse — keep their files and their INDEX.md rows.
  const current = new Set(figures.map((f) => f.info.id));
  // Figures collected but not exported this run (`--only`, `npm start -- NN`) keep the files
  // their previous row listed: their HTML/SVG/PDF are not rewritten, and in a fresh clone only
  // their PNGs are on disk, which would otherwise turn every other row into a PNG-only link.
  const exported = new Set(selected.map((f) => f.info.id));
  const previousFiles = new Map<string, string>();
  const kept: IndexRow[] = [];
  for (const row of indexedRows(indexFile)) {
    if (current.has(row.id)) {
      if (!exported.has(row.id)) previousFiles.set(row.id, row.files);
      continue;
    }
    if (!read.has(row.notebook)) {
      kept.push(row);
      continue;
    }
    for (const ext of ALL_EXTENSIONS)
      fs.rmSync(path.join(opts.outDir, `${row.id}.${ext}`), { force: true });
    log(`figures: removed files of ${JSON.stringify(row.id)}, no longer in the notebooks`);
  }
  writeFileAtomic(indexFile, indexMarkdown(figures, opts.outDir, opts.preset, kept, previousFiles));

  const staticAvailable = renderer !== null;
  const spent = spentBefore && renderer?.timings();
  const steps = spent
    ? (Object.keys(spent) as (keyof typeof spent)[])
        .map((k) => {
          const ms = spent[k] - spentBefore![k] + (done?.spent[k] ?? 0);
          return `${k} ${(ms / 1000).toFixed(1)}`;
        })
        .join(", ")
    : "";
  const formats = (
    staticAvailable ? ["html" as const, ...STATIC_FORMATS] : ["html" as const]
  ).filter((f) => wanted.includes(f));
  const seconds = (performance.now() - t0) / 1000;
  for (const w of warnings) log(`warning: ${w}`);
  for (const e of errors) log(`error: ${e}`);
  log(
    `figures: ${written.length}/${selected.length} written to ${opts.outDir} (${formats.join(", ")}; preset ${opts.preset}) ` +
      (done
        ? `in ${(seconds + done.waited).toFixed(1)} s after the notebooks and ` +
          `${(done.seconds - done.waited).toFixed(1)} s beside them`
        : `in ${seconds.toFixed(1)} s`) +
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

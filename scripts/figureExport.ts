/**
 * Writing figure files: one batch of collected figures checked, styled, rendered in Chromium
 * and written (`exportBatch`), and the export that `npm start` runs beside the notebooks
 * (`startEarlyExport`): each notebook's figures as soon as that notebook is written, so the
 * rendering overlaps the notebooks still running. `exportFigures` (scripts/figures.ts) then
 * reuses every figure exported that way that is unchanged, renders the rest, and writes
 * INDEX.md once.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../lib/export/atomicFile";
import { readPngText, withPngText } from "../lib/export/pngText";
import {
  checkFigure,
  plotlyBundlePath,
  type BatchResult,
  type Renderer,
  type RenderStep,
} from "../lib/export/render";
import { applyStyle, type StyleOptions, type StylePreset } from "../lib/plots/style";
import type { PlotlyFigure } from "../lib/plots/figure";
import type { OutputFormat } from "./figureOptions";
import {
  ALL_EXTENSIONS,
  collectFigures,
  PLOTLY_FILE,
  PNG_SCALE,
  standaloneHtml,
  STATIC_FORMATS,
  type CollectedFigure,
} from "./figureFiles";

/** What exporting one figure gave. */
export interface FigureOutcome {
  /** What was exported (the figure and its info); `figureKey`. */
  key: string;
  /** Its files were written. */
  written: boolean;
  errors: string[];
  warnings: string[];
}

/** The PNG text chunk that records what a figures/<id>.png was rendered from. */
export const PNG_SOURCE_KEYWORD = "passk-source";

/**
 * What a figure's PNG is rendered from: the styled figure, the pixel ratio and Plotly's version
 * (sha-256). A figures/<id>.png stamped with the same value is current and is not rendered again
 * (Chromium's anti-aliasing is not byte-stable, so a re-render would only churn the file).
 */
export function pngSource(styled: PlotlyFigure, plotlyVersion: string): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify([styled, PNG_SCALE, plotlyVersion]))
    .digest("hex");
}

/** Whether `file` is a PNG stamped with `source`. */
function pngIsCurrent(file: string, source: string): boolean {
  try {
    return readPngText(fs.readFileSync(file), PNG_SOURCE_KEYWORD) === source;
  } catch {
    return false;
  }
}

/** Identifies what a figure's files are made from: its info (HTML caption line) and figure. */
export function figureKey(f: CollectedFigure): string {
  return JSON.stringify([f.info, f.figure]);
}

export interface BatchContext {
  outDir: string;
  preset: StylePreset;
  style?: StyleOptions;
  /** Formats to write. */
  wanted: readonly OutputFormat[];
  /** Null: HTML only. */
  renderer: Renderer | null;
  /** True once the run is interrupted: from then on no file is written or removed. */
  stopped?: () => boolean;
}

/**
 * Checks, styles and renders `figures` (one batch: one print for all PDFs) and writes their
 * files; a figure that fails loses last run's files. One outcome per figure id.
 */
export async function exportBatch(
  figures: readonly CollectedFigure[],
  ctx: BatchContext,
): Promise<Map<string, FigureOutcome>> {
  const stopped = ctx.stopped ?? (() => false);
  const outcomes = new Map<string, FigureOutcome>();
  for (const f of figures)
    outcomes.set(f.info.id, { key: figureKey(f), written: false, errors: [], warnings: [] });
  const failed = (id: string, err: unknown) => {
    outcomes.get(id)!.errors.push((err as Error).message);
    if (stopped()) return;
    // A figure that no longer exports must not leave last run's files looking current.
    for (const ext of ALL_EXTENSIONS)
      fs.rmSync(path.join(ctx.outDir, `${id}.${ext}`), { force: true });
  };
  const ready: { info: CollectedFigure["info"]; styled: PlotlyFigure }[] = [];
  for (const { info, figure } of figures) {
    try {
      checkFigure(figure, info.id);
      ready.push({ info, styled: applyStyle(figure, ctx.preset, ctx.style) });
    } catch (err) {
      failed(info.id, err);
    }
  }
  const staticFormats = STATIC_FORMATS.filter((f) => ctx.wanted.includes(f));
  const sources = ready.map(({ styled }) =>
    ctx.renderer ? pngSource(styled, ctx.renderer.plotlyVersion) : "",
  );
  const results: BatchResult[] =
    ctx.renderer && staticFormats.length > 0 && ready.length > 0
      ? await ctx.renderer.renderBatch(
          ready.map(({ info, styled }, i) => ({
            fig: styled,
            id: info.id,
            // a PNG stamped with this figure's source is current: keep it
            skip: pngIsCurrent(path.join(ctx.outDir, `${info.id}.png`), sources[i])
              ? (["png"] as const)
              : undefined,
          })),
          {
            formats: staticFormats,
            scale: PNG_SCALE,
            warn: (w, id) => outcomes.get(id)?.warnings.push(w),
          },
        )
      : ready.map(({ info }) => ({ id: info.id, images: {} }));
  results.forEach((result, i) => {
    const { info, styled } = ready[i];
    if (result.error) return failed(info.id, result.error);
    if (stopped()) return;
    try {
      if (ctx.wanted.includes("html"))
        writeFileAtomic(path.join(ctx.outDir, `${info.id}.html`), standaloneHtml(styled, info));
      for (const [ext, buf] of Object.entries(result.images ?? {})) {
        const data = ext === "png" ? withPngText(buf, PNG_SOURCE_KEYWORD, sources[i]) : buf;
        writeFileAtomic(path.join(ctx.outDir, `${info.id}.${ext}`), data);
      }
      outcomes.get(info.id)!.written = true;
    } catch (err) {
      failed(info.id, err);
    }
  });
  return outcomes;
}

/** Copies the Plotly bundle next to the HTML files unless an identical copy is there. */
export function copyPlotly(outDir: string): void {
  const src = plotlyBundlePath();
  const dest = path.join(outDir, PLOTLY_FILE);
  const bundle = fs.readFileSync(src);
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(bundle)) return;
  writeFileAtomic(dest, bundle);
}

/** What decides a figure's files besides the figure: preset, style overrides, formats. */
export function exportSettings(
  preset: StylePreset,
  style: StyleOptions | undefined,
  formats: readonly OutputFormat[],
): string {
  return JSON.stringify([preset, style ?? {}, [...formats].sort()]);
}

/** What the export beside the notebooks did: outcomes by id (the last write of each id). */
export interface EarlyExportResult {
  /** `exportSettings` of the export. */
  settings: string;
  outcomes: Map<string, FigureOutcome>;
  /** Wall time spent in it, and the renderer's steps over its batches. */
  seconds: number;
  /** Wall time `settle` waited for batches still under way (after the notebooks). */
  waited: number;
  spent: Record<RenderStep, number>;
}

export interface EarlyExport {
  /** Queues the export of figures `ids` of notebook `file` (as it is on disk when it runs). */
  add(file: string, ids: readonly string[]): void;
  /** Waits for everything queued. */
  settle(): Promise<EarlyExportResult>;
}

/**
 * Most figures one batch of the export beside the notebooks takes (a notebook with more is
 * still one batch). The renderer serves one job at a time, so a notebook whose own PNGs need
 * rendering waits for the batch under way: this bounds the wait (≈ 2 s), while a batch still
 * covers a few small notebooks (one PDF print, ≈ 0.1 s, for all of them).
 */
export const EARLY_BATCH_FIGURES = 12;

/**
 * Exports figures as their notebooks are written, one batch at a time: a batch takes the
 * notebooks queued by then (one print for all their PDFs), up to EARLY_BATCH_FIGURES figures.
 * Best effort: a batch that throws (Chromium gone) is dropped, and the final `exportFigures`
 * renders its figures again and reports the problem. Nothing is written once `stopped()`.
 */
export function startEarlyExport(opts: {
  outDir: string;
  preset: StylePreset;
  getRenderer: () => Promise<Renderer | null>;
  stopped: () => boolean;
  /** Gets one line per batch (figures, start and end in seconds since `t0`), if given. */
  timeline?: { t0: number; log: (line: string) => void };
}): EarlyExport {
  const outcomes = new Map<string, FigureOutcome>();
  const spent: Record<RenderStep, number> = { plot: 0, svg: 0, png: 0, pdf: 0 };
  let seconds = 0;
  let prepared = false;
  const pending: { file: string; ids: readonly string[] }[] = [];
  /**
   * The figures of the queued notebooks, from the first, up to one that would repeat an id or
   * take the batch past EARLY_BATCH_FIGURES.
   */
  const takeBatch = (): CollectedFigure[] => {
    const batch: CollectedFigure[] = [];
    const ids = new Set<string>();
    while (pending.length > 0) {
      const { file, ids: want } = pending[0];
      const wanted = new Set(want);
      const { figures } = collectFigures(path.dirname(file), [path.basename(file)]);
      const selected = figures.filter((f) => wanted.has(f.info.id));
      if (batch.length > 0 && batch.length + selected.length > EARLY_BATCH_FIGURES) break;
      if (selected.some((f) => ids.has(f.info.id))) break;
      pending.shift();
      for (const f of selected) ids.add(f.info.id);
      batch.push(...selected);
    }
    return batch;
  };
  const exportOne = async (renderer: Renderer | null, batch: CollectedFigure[]) => {
    if (!prepared) {
      fs.mkdirSync(opts.outDir, { recursive: true });
      copyPlotly(opts.outDir);
      prepared = true;
    }
    const before = renderer?.timings();
    const done = await exportBatch(batch, {
      outDir: opts.outDir,
      preset: opts.preset,
      wanted: ALL_EXTENSIONS,
      renderer,
      stopped: opts.stopped,
    });
    const after = renderer?.timings();
    if (before && after)
      for (const k of Object.keys(spent) as RenderStep[]) spent[k] += after[k] - before[k];
    for (const [id, o] of done) outcomes.set(id, o);
  };
  let waited = 0;
  let running = false;
  let current: Promise<void> = Promise.resolve();
  const drain = async () => {
    running = true;
    try {
      while (pending.length > 0 && !opts.stopped()) {
        let renderer: Renderer | null;
        try {
          renderer = await opts.getRenderer();
        } catch {
          pending.length = 0; // exportFigures renders these figures and reports the problem
          break;
        }
        if (opts.stopped()) break;
        const t0 = performance.now();
        let batch: CollectedFigure[] = [];
        try {
          batch = takeBatch();
          if (batch.length > 0) await exportOne(renderer, batch);
        } catch {
          // dropped: exportFigures renders these figures again
        }
        const t1 = performance.now();
        seconds += (t1 - t0) / 1000;
        const tl = opts.timeline;
        if (tl && batch.length > 0) {
          const at = (t: number) => ((t - tl.t0) / 1000).toFixed(1);
          const nbs = [...new Set(batch.map((f) => f.info.notebook))].join(", ");
          tl.log(`  figures: ${batch.length} of ${nbs} exported ${at(t0)}–${at(t1)} s`);
        }
      }
    } finally {
      running = false;
    }
  };
  return {
    add: (file, ids) => {
      pending.push({ file, ids });
      if (!running) current = drain();
    },
    settle: async () => {
      const t0 = performance.now();
      while (running) await current;
      waited += (performance.now() - t0) / 1000;
      const settings = exportSettings(opts.preset, undefined, ALL_EXTENSIONS);
      return { settings, outcomes, seconds, waited, spent: { ...spent } };
    },
  };
}

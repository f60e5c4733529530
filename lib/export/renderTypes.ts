/**
 * The renderer's public types: formats, options, batch items and results, the Renderer API.
 */
import type { PlotlyFigure } from "../plots/figure";
import type { PlotlyBundle } from "./figureCheck";

export type ImageFormat = "png" | "svg" | "pdf";

export const IMAGE_FORMATS: readonly ImageFormat[] = ["svg", "png", "pdf"];

/** The steps of rendering one figure: plotting it, then exporting each format. */
export type RenderStep = "plot" | ImageFormat;

export interface ImageOptions {
  format: ImageFormat;
  /** Pixel size; default `figureSize(fig)` (layout, then style template, then 720 × 440). */
  width?: number;
  height?: number;
  /** PNG pixel ratio (default 2); ignored for SVG and PDF, which are vector. */
  scale?: number;
  /** Figure id used in error messages (default: the title, else "figure"). */
  id?: string;
  /** Called with a message when some text (label, legend, title) falls outside the image. */
  warn?: (message: string) => void;
}

export interface MultiImageOptions extends Omit<ImageOptions, "format"> {
  formats: readonly ImageFormat[];
}

/** One figure of a batch: the figure, its id for messages, and optionally its pixel size. */
export interface BatchItem {
  fig: PlotlyFigure;
  id: string;
  width?: number;
  height?: number;
  /** Formats of the batch not to produce for this item (its file is already current). */
  skip?: readonly ImageFormat[];
}

/** What a batch gives back for each item, in order: its images, or why it failed. */
export type BatchResult =
  | { id: string; images: Partial<Record<ImageFormat, Buffer>>; error?: undefined }
  | { id: string; error: Error; images?: undefined };

export interface BatchOptions {
  formats: readonly ImageFormat[];
  /** PNG pixel ratio (default 2). */
  scale?: number;
  /** Called with a message and the item's id when some text falls outside that item's image. */
  warn?: (message: string, id: string) => void;
}

export interface Renderer {
  /** Renders one format. Rejects with an Error naming the figure if it is malformed. */
  toImage(fig: PlotlyFigure, opts: ImageOptions): Promise<Buffer>;
  /** Plots once and exports several formats (cheaper than one `toImage` per format). */
  toImages(
    fig: PlotlyFigure,
    opts: MultiImageOptions,
  ): Promise<Partial<Record<ImageFormat, Buffer>>>;
  /**
   * Renders many figures, each plotted once; their PDFs come from one print of the whole
   * batch (a print costs ~0.1 s however many pages it has), split into one file per figure.
   * A figure that fails gets an `error` naming it; the others are still rendered.
   */
  renderBatch(items: readonly BatchItem[], opts: BatchOptions): Promise<BatchResult[]>;
  /** Trace types the loaded Plotly bundle knows (from `Plotly.PlotSchema`). */
  traceTypes(): Promise<string[]>;
  /** Closes the browser; further calls reject. */
  close(): Promise<void>;
  readonly executablePath: string;
  readonly plotlyVersion: string;
  /** Milliseconds spent so far in each step, summed over figures (for progress reports). */
  timings(): Record<RenderStep, number>;
  /** The bundle on the page now: "cartesian" until a figure needs the full one. */
  readonly bundle: PlotlyBundle;
}

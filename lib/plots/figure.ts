/**
 * The figure value every plot builder returns, and the metadata a shown figure carries.
 *
 * Builders (lib/plots/*.ts) are pure: data in, `PlotlyFigure` out. They set titles,
 * axis labels (with symbols/units), legends and trace colours from `COLORS` in
 * lib/plots/style.ts, but no fonts/sizes/margins: the shared style template is
 * applied at display/export time (`applyStyle`; presets in lib/plots/style.ts).
 */
import type { Data, Layout, Config } from "plotly.js-dist";

export type { Data, Layout, Config };

export interface PlotlyFigure {
  data: Data[];
  layout: Partial<Layout>;
  config?: Partial<Config>;
  /** Name of the lib builder function that made this figure (for figures/INDEX.md). */
  builder?: string;
}

/** What a notebook says about a figure it shows; stored in the output's metadata. */
export interface FigureInfo {
  /** File stem in figures/, e.g. "02-weight-curves"; [a-z0-9-]+, unique across notebooks. */
  id: string;
  /** One-line caption (goes into figures/INDEX.md). */
  caption: string;
  /** Notebook file name, filled in by the display helper. */
  notebook?: string;
  /** Builder name, filled in from `PlotlyFigure.builder`. */
  builder?: string;
}

/** Metadata key under which a display_data output carries its FigureInfo. */
export const FIGURE_METADATA_KEY = "passk_figure";

/** The Plotly mime type rendered by VS Code and JupyterLab (with jupyterlab-plotly). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

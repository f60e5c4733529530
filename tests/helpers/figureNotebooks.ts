/**
 * Small executed-notebook fixtures for the figure export tests: .ipynb files whose
 * display outputs carry a Plotly bundle and `passk_figure` metadata, the way the
 * display helper writes them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  FIGURE_METADATA_KEY,
  PLOTLY_MIME,
  type FigureInfo,
  type PlotlyFigure,
} from "../../lib/plots/figure";
import { DIVERGING_COLORSCALE, ROLE_COLORS } from "../../lib/plots/style";

export interface FixtureFigure {
  info: FigureInfo;
  figure: PlotlyFigure;
}

/** A display_data output as the display helper stores it. */
export function figureOutput({ info, figure }: FixtureFigure): Record<string, unknown> {
  return {
    output_type: "display_data",
    data: { [PLOTLY_MIME]: figure, "text/plain": [`<Figure ${info.id}>`] },
    metadata: { [FIGURE_METADATA_KEY]: info },
  };
}

/** Writes an nbformat-4 notebook with one code cell per figure (plus a plain output). */
export function writeNotebook(file: string, figures: readonly FixtureFigure[]): void {
  const cells = figures.map((f, i) => ({
    cell_type: "code",
    execution_count: i + 1,
    metadata: {},
    source: [`show(${JSON.stringify(f.info.id)})`],
    outputs: [{ output_type: "stream", name: "stdout", text: ["ok\n"] }, figureOutput(f)],
  }));
  const nb = {
    cells: [{ cell_type: "markdown", metadata: {}, source: ["# fixture"] }, ...cells],
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

const K = [1, 2, 3, 4, 5, 6, 7, 8];

/** Line chart, 3 traces: J_1 and J_k against k, plus a reference line. */
export const LINES: FixtureFigure = {
  info: {
    id: "fx-lines",
    caption: "Pass@1 falls while pass@k rises (fixture)",
    builder: "fixtureLines",
  },
  figure: {
    builder: "fixtureLines",
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "J<sub>1</sub>",
        x: K,
        y: K.map((k) => 0.7 - 0.02 * k),
        line: { color: ROLE_COLORS.pass1 },
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "J<sub>k</sub>",
        x: K,
        y: K.map((k) => 1 - 0.3 ** k),
        line: { color: ROLE_COLORS.passK },
      },
      {
        type: "scatter",
        mode: "lines",
        name: "k*",
        x: [2.6, 2.6],
        y: [0, 1],
        line: { color: ROLE_COLORS.reference, dash: "dash" },
      },
    ],
    layout: {
      title: { text: "Pass@k vs pass@1" },
      xaxis: { title: { text: "k" } },
      yaxis: { title: { text: "value" } },
    },
  },
};

/** Heatmap of a signed 4×4 kernel, 1 trace. */
export const HEATMAP: FixtureFigure = {
  info: {
    id: "fx-kernel",
    caption: "Interference kernel κ(x, x′) | signed (fixture)",
    builder: "fixtureKernel",
  },
  figure: {
    builder: "fixtureKernel",
    data: [
      {
        type: "heatmap",
        z: [
          [1, 0.5, -0.3, -0.6],
          [0.5, 1, -0.1, -0.4],
          [-0.3, -0.1, 0.8, 0.2],
          [-0.6, -0.4, 0.2, 0.9],
        ],
        colorscale: DIVERGING_COLORSCALE.map((c) => [...c]) as any,
        zmid: 0,
      },
    ],
    layout: {
      title: { text: "κ(x, x′)" },
      xaxis: { title: { text: "x′" } },
      yaxis: { title: { text: "x" } },
    },
  },
};

/** Grouped bars, 2 traces, in a second notebook. */
export const BARS: FixtureFigure = {
  info: { id: "fx-bars", caption: "Mean agreement by group (fixture)", builder: "fixtureBars" },
  figure: {
    builder: "fixtureBars",
    data: [
      {
        type: "bar",
        name: "easy",
        x: ["a(x)", "w<sub>4</sub>"],
        y: [0.628, 0.0128],
        marker: { color: ROLE_COLORS.easy },
      },
      {
        type: "bar",
        name: "hard",
        x: ["a(x)", "w<sub>4</sub>"],
        y: [-0.132, 2.916],
        marker: { color: ROLE_COLORS.hard },
      },
    ],
    layout: {
      barmode: "group",
      title: { text: "Two groups" },
      yaxis: { title: { text: "value" } },
    },
  },
};

/** A trace type Plotly does not have. */
export const UNKNOWN_TYPE: FixtureFigure = {
  info: { id: "fx-bad-type", caption: "malformed: unknown trace type" },
  figure: { data: [{ type: "scatterr", y: [1, 2] } as any], layout: {} },
};

/** NaN-only data (NaN is null once written to JSON). */
export const NAN_ONLY: FixtureFigure = {
  info: { id: "fx-bad-nan", caption: "malformed: NaN-only data" },
  figure: { data: [{ type: "scatter", x: [1, 2, 3], y: [NaN, NaN, NaN] }], layout: {} },
};

/** Number of traces of each good fixture, by id. */
export const TRACE_COUNTS: Readonly<Record<string, number>> = {
  "fx-lines": 3,
  "fx-kernel": 1,
  "fx-bars": 2,
};

/**
 * Makes a temp folder with notebooks/ holding 01-a.ipynb (lines, heatmap) and 02-b.ipynb
 * (bars, plus `extra` figures such as malformed ones). Returns the folder.
 */
export function makeFixtureProject(extra: readonly FixtureFigure[] = []): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "passk-fig-"));
  const nbDir = path.join(root, "notebooks");
  fs.mkdirSync(nbDir);
  writeNotebook(path.join(nbDir, "01-a.ipynb"), [LINES, HEATMAP]);
  writeNotebook(path.join(nbDir, "02-b.ipynb"), [BARS, ...extra]);
  return root;
}

/**
 * Computed prose of notebook 08 §5–6 stays true under a second parameter set: copies the notebook
 * to a temp folder, edits its parameter cell (other SEED, warm start, training k, k range), runs
 * it in FAST mode with the headless runner, and checks that the sentences it computes
 * (showMarkdown) agree with the numbers the same run prints in its tables and figures (as
 * tests/notebookParams.test.ts does for notebooks 01–05).
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import {
  copyWithParams,
  first,
  join,
  makeParamDir,
  removeDir,
  runCopies,
  type Trace,
} from "./helpers/paramRuns";

const NAME = "08-llm-diagnostic.ipynb";

interface Output {
  text?: string[] | string;
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string[] | string;
  outputs?: Output[];
}

function cellWith(file: string, marker: string): Cell {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: Cell[] };
  const cell = nb.cells.find((c) => c.cell_type === "code" && join(c.source).includes(marker));
  assert.ok(cell, `no code cell containing "${marker}"`);
  return cell!;
}

/** Text of a cell's outputs, and its markdown outputs alone. */
function texts(cell: Cell): { all: string; markdown: string } {
  const all: string[] = [];
  const markdown: string[] = [];
  for (const o of cell.outputs ?? []) {
    if (o.text !== undefined) all.push(join(o.text));
    const d = o.data ?? {};
    if (d["text/markdown"] !== undefined) markdown.push(join(d["text/markdown"] as string[]));
    else if (d["text/plain"] !== undefined) all.push(join(d["text/plain"] as string[]));
  }
  return { all: all.join("\n"), markdown: markdown.join("\n") };
}

/** Plotly data of the figure `id` among one cell's outputs. */
function figure(cell: Cell, id: string): Trace[] {
  for (const o of cell.outputs ?? []) {
    const d = o.data ?? {};
    if (join(d["text/plain"] as string[] | string).includes(`[figure ${id}]`))
      return (d["application/vnd.plotly.v1+json"] as { data: Trace[] }).data;
  }
  throw new Error(`no figure ${id}`);
}

describe("notebook 08 rerun with a second parameter set: §5–6 sentences match the outputs", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = makeParamDir();
    file = copyWithParams(dir, NAME, [
      ["const SEED = 20260226;", "const SEED = 9;"],
      ["const WARM_TARGET = 0.3;", "const WARM_TARGET = 0.4;"],
      ["const LAYER_KMAX = 32;", "const LAYER_KMAX = 24;"],
      ["const TRAIN_KS = [2, 12];", "const TRAIN_KS = [3, 16];"],
    ]);
    await runCopies([file]);
  });
  after(() => removeDir(dir));

  test("§5: correlation, sign share, k* and the verdict match the figure and the table", () => {
    const cell = cellWith(file, "layerAgreementStudy(");
    const { all, markdown } = texts(cell);
    const pts = figure(cell, "08-last-layer-vs-full").find((t) => t.name === "prompts")!;
    const u = pts.y as number[]; // a_last / RMS
    const v = pts.x as number[]; // a_full / RMS
    const n = u.length;
    assert.equal(n, 98);
    const mean = (w: number[]) => w.reduce((a, b) => a + b, 0) / n;
    const [mu, mv] = [mean(u), mean(v)];
    const cov = u.reduce((a, t, i) => a + (t - mu) * (v[i] - mv), 0);
    const r =
      cov /
      Math.sqrt(
        u.reduce((a, t) => a + (t - mu) ** 2, 0) * v.reduce((a, t) => a + (t - mv) ** 2, 0),
      );
    assert.equal(first(markdown, /Pearson \*\*r = (-?[\d.]+)\*\*/), r.toFixed(2));
    const share = u.filter((t, i) => Math.sign(t) === Math.sign(v[i])).length / n;
    assert.equal(first(markdown, /signs agree on \*\*(\d+) %\*\*/), (100 * share).toFixed(0));
    // table rows: parameters, d, prompts with a < 0, exact k*, sampled k*, …
    const row = (label: string) => {
      const line = all.split("\n").find((l) => l.trim().startsWith(label))!;
      return line.trim().slice(label.length).trim().split(/\s+/);
    };
    const last = row("last layer (W₂, b₂)");
    const full = row("all (W₁, b₁, W₂, b₂)");
    assert.equal(Number(last[1]), u.filter((t) => t < 0).length);
    assert.equal(Number(full[1]), v.filter((t) => t < 0).length);
    const kL = last[2];
    const kF = full[2];
    if (kL === kF)
      assert.match(
        markdown,
        new RegExp(`the same exact k\\\\\\* as all parameters \\(\\*\\*${kF}\\*\\*\\)`),
      );
    else
      assert.match(
        markdown,
        new RegExp(`exact k\\\\\\* \\*\\*${kL}\\*\\*, all parameters \\*\\*${kF}\\*\\*`),
      );
    assert.match(
      markdown,
      new RegExp(
        `grid is \\*\\*${last[3]}\\*\\* from the last layer and \\*\\*${full[3]}\\*\\* from all`,
      ),
    );
    const close =
      r > 0.8 &&
      share > 0.85 &&
      kL !== "none" &&
      kF !== "none" &&
      Math.abs(Number(kL) - Number(kF)) <= 1;
    assert.match(markdown, close ? /tracks the full one/ : /does \*\*not\*\* track/);
  });

  test("§6: verdicts, k* at the start and the count of held predictions match the table and figure", () => {
    const cell = cellWith(file, "neuralTrainingStudy(");
    const { all, markdown } = texts(cell);
    const k0 = first(all, /k\* over all parameters at the start: (\w+)/);
    assert.equal(first(markdown, /over all parameters is \*\*(\w+)\*\*/), k0);
    const num = "(-?[\\d.]+(?:e-?\\d+)?)";
    const re = new RegExp(
      `^\\s*(pass@\\d+(?:, [^\\d]+?)?)\\s+${num}\\s+${num}\\s+${num}\\s+${num}\\s+(\\d+)\\s`,
    );
    const rows = all
      .split("\n")
      .map((l) => l.match(re))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => ({
        label: m[1].trim(),
        dJ1: +m[2],
        se1: +m[3],
        dJk: +m[4],
        sek: +m[5],
        k: +m[6],
      }));
    assert.equal(rows.length, 5, all);
    const verdict = (m: number, se: number) =>
      m > 2 * se ? "rises" : m < -2 * se ? "falls" : "does not move beyond 2 SE";
    const kArms = rows.filter((r) => r.label !== "pass@1");
    let held = 0;
    for (const r of kArms) {
      const said = first(
        markdown,
        new RegExp(`${r.label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: pass@1 \\*\\*(.+?)\\*\\*`),
      );
      assert.equal(said, verdict(r.dJ1, r.se1), r.label);
      assert.match(markdown, new RegExp(`\\), pass@${r.k} ${verdict(r.dJk, r.sek)}`));
      const predicted =
        k0 === "none" || r.k < Number(k0) ? "rises" : r.k > Number(k0) ? "falls" : "either";
      if (predicted === "either" || predicted === said) held++;
    }
    assert.equal(first(markdown, /holds in \*\*(\d+) of 4\*\*/), String(held));
    // the figure's mean pass@1 curve of the pass@1 arm ends at start + ΔJ_1 of the table
    const p1 = rows.find((r) => r.label === "pass@1")!;
    const curve = figure(cell, "08-sampled-training").find(
      (t) => t.name === "pass@1" && (t.yaxis ?? "y") === "y",
    )!;
    const y = curve.y as number[];
    assert.ok(Math.abs(y[y.length - 1] - y[0] - p1.dJ1) < 5e-4 * Math.max(1, Math.abs(p1.dJ1)));
  });
});

/**
 * `--figures DIR` of scripts/analyze-real.ts: the figures of a counts analysis or a comparison,
 * built by the pure builders of lib/plots/realData.ts, styled and written like `npm run figures`
 * (scripts/figures.ts: standalone HTML loading ./plotly.min.js; SVG/PNG/PDF through one headless
 * Chromium when there is one).
 *
 * Nothing partial: every file is first written into a fresh temporary directory inside DIR, and
 * only when all are written are they renamed into DIR (then the temporary directory is removed).
 * DIR must exist and be writable; otherwise {@link FigureDirError} before any analysis.
 */
import * as fs from "fs";
import * as path from "path";
import type { PlotlyFigure } from "../lib/plots/figure";
import { applyStyle } from "../lib/plots/style";
import {
  deltaPassAtKFigure,
  modelCurvesFigure,
  pHatScatterFigure,
  weightShareBinsFigure,
  type KCurve,
} from "../lib/plots/realData";
import { checkFigure, openRenderer, plotlyBundlePath } from "../lib/export/render";
import type { CompareResult, PairedPrompt } from "../lib/diagnostic/compare";
import type { CountsResult, GroupedCountsResult } from "../lib/diagnostic/counts";
import { PLOTLY_FILE, standaloneHtml } from "./figures";
import { loadData } from "../lib/diagnostic/read";
import { diagnose } from "../lib/diagnostic/index";
import { diagnosticConflictFigure } from "../lib/plots/diagnostic";

/** The --figures directory is missing, not a directory, or not writable. */
export class FigureDirError extends Error {}

/** A figure to write as `<id>.html` (and .svg/.png/.pdf). */
export interface NamedFigure {
  id: string;
  caption: string;
  fig: PlotlyFigure;
}

/**
 * Throws {@link FigureDirError} unless `dir` is an existing directory we may write to (write
 * permission bits are checked too, since root passes `access(W_OK)` on a read-only mode).
 */
export function checkFiguresDir(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new FigureDirError(`--figures ${dir}: no such directory (create it first)`);
  }
  if (!st.isDirectory()) throw new FigureDirError(`--figures ${dir}: not a directory`);
  let writable = (st.mode & 0o222) !== 0;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    writable = false;
  }
  if (!writable)
    throw new FigureDirError(`--figures ${dir}: directory is read-only; nothing was written`);
}

const curve = (name: string, r: CountsResult, y?: (number | null)[]): KCurve => ({
  name,
  k: r.k,
  y: y ?? r.passAtK,
  ci: y ? undefined : r.passAtKCI,
});

/**
 * With per-sample gradients in `file` (a JSONL whose records carry `grad`), the diagnostic of
 * scripts/analyze.ts (lib/diagnostic/estimate.ts `diagnose`) drawn as ⟨∇J_k, ∇J_1⟩ and the cosine
 * against k with their bands and k* (lib/plots/diagnostic.ts); null without gradients.
 */
export async function gradientFigure(
  file: string,
  opts: { k?: number[]; bootstrap: number; seed: number; level: number },
): Promise<NamedFigure | null> {
  if (file.toLowerCase().endsWith(".csv")) return null;
  const data = await loadData(file);
  if (data.d === 0) return null;
  const r = diagnose(data, opts);
  return {
    id: "conflict",
    caption: `⟨∇J_k, ∇J_1⟩ and cosine against k, cross-fitted, with bootstrap bands and k* (${file})`,
    fig: diagnosticConflictFigure({
      k: r.k,
      innerProduct: r.innerProduct,
      innerProductCI: r.innerProductCI,
      cosine: r.cosine,
      cosineCI: r.cosineCI,
      kStar: r.kStar,
      level: r.level,
    }),
  };
}

/** The figures of a single-file report (`file`) or of a comparison. */
export function realFigures(
  input:
    | { file: Record<string, unknown> }
    | {
        compare: CompareResult;
        pairs: PairedPrompt[];
        before: Record<string, unknown>;
        after: Record<string, unknown>;
        files: string[];
      },
): NamedFigure[] {
  const out: NamedFigure[] = [];
  if ("file" in input) {
    const rep = input.file;
    const models = rep.models as Record<string, GroupedCountsResult> | undefined;
    if (models !== undefined) {
      const names = Object.keys(models);
      // Many models: colour the three best and three worst by pass@1, the rest grey.
      const ranked = [...names].sort(
        (x, y) => (models[y].passAtK[0] ?? 0) - (models[x].passAtK[0] ?? 0),
      );
      const highlight = names.length > 8 ? [...ranked.slice(0, 3), ...ranked.slice(-3)] : undefined;
      out.push({
        id: "passk",
        caption: `pass@k against k for ${names.length} models (${rep.source})`,
        fig: modelCurvesFigure(
          names.map((n) => curve(n, models[n])),
          { highlight },
        ),
      });
      out.push({
        id: "unsolved-weight",
        caption: "share of the pass@k weight Σŵ_k on prompts no sample solved, per model",
        fig: modelCurvesFigure(
          names.map((n) => curve(n, models[n], models[n].weightShare[0].share)),
          { title: "q_k on prompts with c = 0", yTitle: "share of Σŵ<sub>k</sub>", highlight },
        ),
      });
      return out;
    }
    const r = rep as unknown as GroupedCountsResult;
    const groups = Object.entries(r.groups ?? {});
    out.push({
      id: "passk",
      caption: `pass@k against k (${rep.source})`,
      fig: modelCurvesFigure([curve("all", r), ...groups.map(([g, gr]) => curve(g, gr))]),
    });
    out.push({
      id: "weight-share",
      caption: "q_k's share by difficulty bin of p̂",
      fig: weightShareBinsFigure({ k: r.k, bins: r.weightShare }),
    });
    return out;
  }
  const c = input.compare;
  const [b, a] = input.files.map((f) => path.basename(f));
  out.push({
    id: "delta-passk",
    caption: `Δpass@k = ${a} − ${b}, paired bootstrap band, crossing k marked. ${c.verdict}`,
    fig: deltaPassAtKFigure({
      k: c.k,
      delta: c.deltaPassAtK,
      deltaCI: c.deltaPassAtKCI,
      crossingK: c.crossingK,
      before: b,
      after: a,
      level: c.level,
    }),
  });
  out.push({
    id: "phat-scatter",
    caption: `per-prompt p̂ before and after (${c.matched} matched prompts)`,
    fig: pHatScatterFigure({
      pBefore: input.pairs.map((p) => p.pBefore),
      pAfter: input.pairs.map((p) => p.pAfter),
      before: b,
      after: a,
    }),
  });
  const br = input.before as unknown as GroupedCountsResult;
  const ar = input.after as unknown as GroupedCountsResult;
  if (Array.isArray(br.passAtK) && Array.isArray(ar.passAtK)) {
    out.push({
      id: "passk",
      caption: `pass@k of ${b} and ${a} (all prompts of each file)`,
      fig: modelCurvesFigure([curve(b, br), curve(a, ar)]),
    });
    out.push({
      id: "weight-share",
      caption: `q_k's share by difficulty bin of p̂ in ${b}`,
      fig: weightShareBinsFigure({ k: br.k, bins: br.weightShare }),
    });
  }
  return out;
}

/**
 * Writes the figures into `dir` (checked by {@link checkFiguresDir}): HTML always, SVG/PNG/PDF
 * when Chromium is found; all into a temporary directory first, then renamed into place.
 * Returns the file names written.
 */
export async function writeFiguresDir(dir: string, figures: NamedFigure[]): Promise<string[]> {
  checkFiguresDir(dir);
  let tmp: string;
  try {
    tmp = fs.mkdtempSync(path.join(dir, ".analyze-figures-"));
  } catch (e) {
    throw new FigureDirError(`--figures ${dir}: cannot write (${(e as Error).message})`);
  }
  const names: string[] = [];
  try {
    const styled = figures.map((f) => {
      checkFigure(f.fig, f.id);
      return { ...f, fig: applyStyle(f.fig, "notebook") };
    });
    for (const f of styled) {
      const info = { id: f.id, caption: f.caption, notebook: "npm run analyze" };
      fs.writeFileSync(path.join(tmp, `${f.id}.html`), standaloneHtml(f.fig, info));
      names.push(`${f.id}.html`);
    }
    fs.copyFileSync(plotlyBundlePath(), path.join(tmp, PLOTLY_FILE));
    names.push(PLOTLY_FILE);
    const renderer = await openRenderer();
    if (renderer !== null) {
      try {
        const results = await renderer.renderBatch(
          styled.map((f) => ({ fig: f.fig, id: f.id })),
          { formats: ["svg", "png", "pdf"], scale: 2 },
        );
        for (const r of results) {
          if (r.error) throw r.error;
          for (const [ext, buf] of Object.entries(r.images)) {
            fs.writeFileSync(path.join(tmp, `${r.id}.${ext}`), buf as Buffer);
            names.push(`${r.id}.${ext}`);
          }
        }
      } finally {
        await renderer.close();
      }
    }
    for (const name of names) fs.renameSync(path.join(tmp, name), path.join(dir, name));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (e instanceof FigureDirError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EROFS" || code === "ENOSPC")
      throw new FigureDirError(`--figures ${dir}: cannot write (${(e as Error).message})`);
    throw e;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return names;
}

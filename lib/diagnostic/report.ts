/**
 * The diagnostic's report (issue 14): warnings about the input, why each null is null, the
 * per-k table (`summaryRows`, for `npm run analyze` and notebook 08), its notes and footnotes,
 * the headline and the "what next" suggestions. Pure functions of a {@link DiagnosticResult}.
 */
import type { SampleData } from "../core/samples";
import type { DiagnosticResult, Interval, NullReason } from "./types";

const pct = (r: DiagnosticResult) => `${Math.round(r.level * 100)}%`;

/** Why a bootstrap interval is null, given that its point estimate is `point`. */
function ciReason(r: DiagnosticResult, point: number | null): string {
  if (r.bootstrap === 0) return "no bootstrap was run (--bootstrap 0)";
  if (point === null) return "the point estimate itself is undefined (see its own footnote)";
  return "the statistic is undefined in more than 10% of the bootstrap replicates, so its interval is not determined by the data";
}

/**
 * Every null of a result with the reason it is null there (one entry per field and k; k = null
 * for scalar fields), in the order of the JSON fields.
 */
export function nullReasons(r: DiagnosticResult): NullReason[] {
  const out: NullReason[] = [];
  const add = (field: string, k: number | null, reason: string) => out.push({ field, k, reason });
  const noGrad = "the input has no per-sample gradients (counts only)";
  const noRow = (k: number) =>
    `no prompt has the n ≥ 2k = ${2 * k} samples the cross-fit needs (k in each half)`;
  r.k.forEach((k, s) => {
    if (r.passAtK[s] === null) {
      const why = `no prompt has the n ≥ k = ${k} samples the unbiased estimator needs`;
      add("passAtK", k, why);
      add("passHatK", k, why);
    }
    if (r.passAtKCI[s] === null) add("passAtKCI", k, ciReason(r, r.passAtK[s]));
    if (r.passHatKCI[s] === null) add("passHatKCI", k, ciReason(r, r.passHatK[s]));
    const rowWhy = r.gradients ? noRow(k) : noGrad;
    const ip = r.innerProduct[s];
    if (ip === null) {
      for (const f of ["innerProduct", "gradJkNormSq", "gradJ1NormSqAtK", "cosine", "mixingLambda"])
        add(f, k, rowWhy);
    } else {
      const nk = r.gradJkNormSq[s]!;
      const n1 = r.gradJ1NormSqAtK[s]!;
      const below = (what: string, v: number) =>
        `the cross-fitted ${what} (= ${v.toPrecision(3)}) is ≤ 0: the gradient is below the sampling noise of the responses, so its norm is not determined`;
      if (r.cosine[s] === null)
        add("cosine", k, n1 <= 0 ? below("‖∇J_1‖²", n1) : below("‖∇J_k‖²", nk));
      if (r.mixingLambda[s] === null)
        add("mixingLambda", k, `${below("‖∇J_1‖²", n1)}, and ⟨∇J_k,∇J_1⟩ < 0: no mix is safe`);
    }
    if (r.innerProductCI[s] === null) add("innerProductCI", k, ciReason(r, ip));
    if (r.cosineCI[s] === null) add("cosineCI", k, ciReason(r, r.cosine[s]));
    if (r.mixingLambdaCI[s] === null) add("mixingLambdaCI", k, ciReason(r, r.mixingLambda[s]));
    const bounds = r.negativeAgreementWeightBounds[s];
    if (bounds === null) {
      const why =
        ip === null
          ? rowWhy
          : `every estimated weight ŵ_k is 0 (each prompt has fewer than k − 1 = ${k - 1} incorrect samples), so q_k is not estimable`;
      for (const f of [
        "negativeAgreementWeight",
        "negativeAgreementWeightBounds",
        "negativeAgreementWeightFromFailures",
        "undeterminedAgreementWeight",
      ])
        add(f, k, why);
    } else if (r.negativeAgreementWeight[s] === null) {
      add(
        "negativeAgreementWeight",
        k,
        "every prompt of the row has an undetermined agreement sign (no correct sample), so only the bounds are informative",
      );
    }
    if (r.negativeAgreementWeightCI[s] === null)
      add("negativeAgreementWeightCI", k, ciReason(r, r.negativeAgreementWeight[s]));
    if (r.negativeAgreementWeightFromFailuresCI[s] === null)
      add(
        "negativeAgreementWeightFromFailuresCI",
        k,
        ciReason(r, r.negativeAgreementWeightFromFailures[s]),
      );
    const bci = r.negativeAgreementWeightBoundsCI[s];
    if (bci === null || bci[0] === null || bci[1] === null)
      add("negativeAgreementWeightBoundsCI", k, ciReason(r, bounds === null ? null : bounds[0]));
  });
  if (r.gradJ1NormSq === null) add("gradJ1NormSq", null, r.gradients ? noRow(1) : noGrad);
  if (r.kStar === null)
    add("kStar", null, r.gradients ? "no row of the k grid has a negative inner product" : noGrad);
  if (r.kStarCI === null)
    add("kStarCI", null, r.gradients ? "no bootstrap was run (--bootstrap 0)" : noGrad);
  else if (r.kStarCI.includes(null))
    add(
      "kStarCI",
      null,
      "an end is null where the bootstrap k* lies beyond the grid: in those replicates no row of the grid is negative",
    );
  if (r.safeK === null) {
    const first = r.k.indexOf(Math.min(...r.k));
    add(
      "safeK",
      null,
      !r.gradients
        ? noGrad
        : r.bootstrap === 0
          ? "needs bootstrap intervals (--bootstrap 0 was given)"
          : `the interval of ⟨∇J_k,∇J_1⟩ at the smallest grid k = ${r.k[first]} is not entirely above 0`,
    );
  }
  const undetermined = r.perPrompt.filter((p) => p.agreement === null);
  if (undetermined.length > 0) {
    const none = undetermined.filter((p) => p.c === 0 && p.n >= 2).length;
    const rest = undetermined.length - none;
    const plural = (m: number) => `${m} ${m === 1 ? "prompt" : "prompts"}`;
    const parts = [];
    if (none > 0)
      parts.push(
        `${plural(none)} with no correct sample (ĝ(x) = 0: the sign of a(x) is not identified)`,
      );
    if (rest > 0) parts.push(`${plural(rest)} with n < 2 (no cross-fit) or â = 0 exactly`);
    add("perPrompt.agreement", null, r.gradients ? parts.join("; ") : noGrad);
  }
  return out;
}

/** Warnings about exclusions and suspicious input. */
export function diagnosticWarnings(data: SampleData, r: DiagnosticResult): string[] {
  const w: string[] = [];
  const excludedPass = r.k.filter((_, s) => r.passAtKExcluded[s] > 0);
  if (excludedPass.length > 0) {
    w.push(
      `pass@k and pass^k exclude prompts with fewer than k samples (the estimators are undefined there): ` +
        excludedPass
          .map((k) => `k=${k}: ${r.passAtKExcluded[r.k.indexOf(k)]} of ${r.prompts}`)
          .join(", "),
    );
  }
  if (data.d > 0) {
    const excl = r.k.filter((_, s) => r.gradientExcluded[s] > 0);
    if (excl.length > 0) {
      w.push(
        `gradient statistics at k use only prompts with at least 2k samples (k in each half), so rows with different k can cover different prompts: excluded ` +
          excl.map((k) => `k=${k}: ${r.gradientExcluded[r.k.indexOf(k)]}`).join(", "),
      );
    }
    const { sorted, mixed } = data.sortedPrompts;
    if (mixed >= 20 && sorted >= 0.9 * mixed) {
      w.push(
        `in ${sorted} of ${mixed} prompts with mixed outcomes, all correct samples come before (or after) all incorrect ones: ` +
          `the file looks sorted by correctness, so the even/odd halves are not independent samples — write samples in sampling order`,
      );
    }
  }
  return w;
}

/** Formats a number with `digits` significant digits (exponent form when tiny or huge). */
export function fmt(x: number | null, digits: number): string {
  if (x === null) return "—";
  if (x === 0 || Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5
    ? Number(x.toPrecision(digits)).toString()
    : x.toExponential(digits - 1);
}

function fmtInterval(iv: Interval | null, digits: number): string {
  return iv === null ? "—" : `[${fmt(iv[0], digits)}, ${fmt(iv[1], digits)}]`;
}

/** "between X and Y" for the bounds of the negative share at grid index s. */
export function boundsText(r: DiagnosticResult, s: number, digits = 3): string {
  const b = r.negativeAgreementWeightBounds[s];
  if (b === null) return "—";
  return b[0] === b[1]
    ? fmt(b[0], digits)
    : `between ${fmt(b[0], digits)} and ${fmt(b[1], digits)}`;
}

/** Outer interval [lo of the lower bound's CI, hi of the upper bound's CI], or null. */
function boundsCI(r: DiagnosticResult, s: number): Interval | null {
  const b = r.negativeAgreementWeightBoundsCI[s];
  return b === null || b[0] === null || b[1] === null ? null : [b[0][0], b[1][1]];
}

/**
 * Column of the table showing each JSON field (for the footnotes); fields not in the table map to
 * their JSON name.
 */
function columns(r: DiagnosticResult): Record<string, string> {
  const ci = `${pct(r)} CI`;
  return {
    passAtK: "pass@k",
    passAtKCI: `pass@k ${ci}`,
    passHatK: "pass^k",
    passHatKCI: `pass^k ${ci}`,
    negativeAgreementWeightBounds: "q_k(a<0)",
    negativeAgreementWeightBoundsCI: `q_k(a<0) ${ci}`,
    negativeAgreementWeight: "q_k(a<0) det.",
    negativeAgreementWeightFromFailures: "q_k(a<0) fails",
    negativeAgreementWeightCI: "q_k(a<0) det. (JSON CI)",
    undeterminedAgreementWeight: "q_k(undet.)",
    innerProduct: "⟨∇J_k,∇J_1⟩",
    innerProductCI: `⟨,⟩ ${ci}`,
    cosine: "cos",
    cosineCI: `cos ${ci}`,
    mixingLambda: "λ_min",
    mixingLambdaCI: `λ_min ${ci}`,
    kStar: "k*",
    kStarCI: "k* CI",
    safeK: "safe k",
    gradJ1NormSq: "‖∇J_1‖²",
    "perPrompt.agreement": "per-prompt agreement (--per-prompt CSV)",
  };
}

/**
 * The per-k table of a diagnostic as row objects (numbers kept as numbers, intervals as
 * "[lo, hi]" strings, "—" where not estimable — {@link footnotes} says why), for
 * `npm run analyze` and notebook 08 — either passes them to a danfojs DataFrame or to `showTable`.
 *
 * @example summaryRows(result)[0] // => { k: 1, "pass@k": 0.625, "pass@k 95% CI": "—", "pass^k":
 * 0.375, … }  (diagnose's example)
 */
export function summaryRows(r: DiagnosticResult, digits = 3): Record<string, string | number>[] {
  const col = columns(r);
  const num = (x: number | null) => (x === null ? "—" : Number(fmt(x, digits + 1)));
  return r.k.map((k, s) => {
    const row: Record<string, string | number> = {
      k,
      [col.passAtK]: num(r.passAtK[s]),
      [col.passAtKCI]: fmtInterval(r.passAtKCI[s], digits),
      [col.passHatK]: num(r.passHatK[s]),
      [col.passHatKCI]: fmtInterval(r.passHatKCI[s], digits),
      "n<k excl.": r.passAtKExcluded[s],
    };
    if (r.gradients) {
      row[col.negativeAgreementWeightBounds] = boundsText(r, s, digits);
      row[col.negativeAgreementWeightBoundsCI] = fmtInterval(boundsCI(r, s), digits);
      row[col.negativeAgreementWeight] = num(r.negativeAgreementWeight[s]);
      row[col.negativeAgreementWeightFromFailures] = num(r.negativeAgreementWeightFromFailures[s]);
      row[col.undeterminedAgreementWeight] = num(r.undeterminedAgreementWeight[s]);
      row[col.innerProduct] = r.innerProduct[s] === null ? "—" : fmt(r.innerProduct[s], digits);
      row[col.innerProductCI] = fmtInterval(r.innerProductCI[s], digits);
      row[col.cosine] = num(r.cosine[s]);
      row[col.cosineCI] = fmtInterval(r.cosineCI[s], digits);
      row[col.mixingLambda] = num(r.mixingLambda[s]);
      row[col.mixingLambdaCI] = fmtInterval(r.mixingLambdaCI[s], digits);
      row["n<2k excl."] = r.gradientExcluded[s];
    }
    return row;
  });
}

/**
 * One footnote per (column, reason) explaining every "—" of {@link summaryRows} and every null of
 * the headline, e.g. `— in "cos" at k = 16: the cross-fitted ‖∇J_k‖² = -0.002 is ≤ 0: …`.
 */
export function footnotes(r: DiagnosticResult): string[] {
  const col = columns(r);
  const groups = new Map<string, { column: string; ks: number[]; reason: string }>();
  for (const { field, k, reason } of r.nullReasons) {
    if (r.gradients === false && !field.startsWith("pass")) continue;
    const column = col[field] ?? field;
    // One reason per value: gradJkNormSq etc. are not in the table; their nulls follow the row's.
    if (!(field in col) && k !== null) continue;
    const generic = reason.replace(/ \(= [^)]*\)/, "");
    const key = `${column}\u0000${generic}`;
    const g = groups.get(key) ?? { column, ks: [], reason: generic };
    if (k !== null) g.ks.push(k);
    groups.set(key, g);
  }
  return [...groups.values()].map(
    ({ column, ks, reason }) =>
      `— ${ks.length > 0 ? "in" : "for"} "${column}"${ks.length > 0 ? ` at k = ${ks.join(", ")}` : ""}: ${reason}`,
  );
}

/** What the table's columns mean (printed under it). */
export function tableNotes(r: DiagnosticResult): string[] {
  const notes = [
    "pass@k: mean over prompts of the unbiased estimator 1 − C(n−c,k)/C(n,k); pass^k (all k attempts correct): the mean of C(c,k)/C(n,k); prompts with n < k are excluded at that k, never counted as solved.",
  ];
  if (r.gradients) {
    notes.push(
      "q_k(a<0): share of pass@k's weight q_k ∝ ŵ_k on prompts whose agreement a(x) = ⟨∇p(x),∇J_1⟩ is negative. A prompt with no correct sample has ĝ(x) = 0, so the samples cannot tell its sign — and pass@k weighs exactly these prompts most (ŵ_k = k). So the share is given as bounds: 'between' counts every undetermined prompt as positive (lower) and as negative (upper); its CI runs from the lower bound's lower end to the upper bound's upper end. 'det.' is the share among the determined prompts (right if undetermined ones split alike); 'undet.' the weight on undetermined prompts (upper − lower). 'fails' classifies each prompt with no correct sample by its failed samples' scores instead (E[s | r = 0] = −∇p/(1−p)): a plug-in estimate within the bounds, as noisy as those scores. Signs of â are plug-in: prompts with a(x) near 0 are misclassified at random.",
      "⟨∇J_k,∇J_1⟩, cos: cross-fitted between the even- and odd-indexed samples of each prompt (unbiased inner product); each row k uses the prompts with n ≥ 2k (n<2k excl.); cos is clipped to [−1, 1].",
      "λ_min: the smallest weight of pass@1 in the objective (1−λ)·pass@k + λ·pass@1 whose gradient keeps a non-negative inner product with ∇J_1 (0 when there is no conflict).",
    );
  }
  return notes;
}

/** The lines above the table: counts, ‖∇J_1‖², k*, and the negative share at the largest k. */
export function headline(r: DiagnosticResult): string[] {
  const ci =
    r.bootstrap > 0
      ? `${r.bootstrap} bootstrap replicates over prompts (seed ${r.seed}), ${pct(r)} percentile intervals`
      : "no bootstrap";
  const lines = [
    `analyze ${r.source}`,
    `  ${r.prompts} prompts, ${r.samples} samples, ${r.gradients ? `gradient dimension ${r.d}` : "no gradients (pass@k and pass^k only)"}; ${ci}`,
  ];
  if (!r.gradients) return lines;
  lines.push(`  cross-fitted ‖∇J_1‖² = ${fmt(r.gradJ1NormSq, 3)}`);
  const rows = r.k.filter((_, s) => r.innerProduct[s] !== null);
  const grid = rows.length > 0 ? `grid rows k = ${rows.join(", ")}` : "no grid row estimable";
  let kStarCI = "";
  if (r.kStarCI !== null) {
    const end = (x: number | null) => (x === null ? "none on the grid" : String(x));
    kStarCI = `, ${pct(r)} CI [${end(r.kStarCI[0])}, ${end(r.kStarCI[1])}]`;
  }
  lines.push(
    `  k* (first grid k whose row has ⟨∇J_k,∇J_1⟩ < 0): ${r.kStar === null ? "none" : r.kStar}${kStarCI} (${grid})`,
  );
  const largest = r.k
    .map((k, s) => ({ k, s }))
    .filter(({ s }) => r.negativeAgreementWeightBounds[s] !== null)
    .sort((a, b) => b.k - a.k)[0];
  if (largest !== undefined) {
    const { k, s } = largest;
    lines.push(
      `  share of pass@${k}'s weight on negatively interfering prompts: ${boundsText(r, s)} (${fmt(r.undeterminedAgreementWeight[s], 3)} of the weight is on prompts with no correct sample, whose sign the bounds leave open; classified by their failed samples' scores: ${fmt(r.negativeAgreementWeightFromFailures[s], 3)}; see the note)`,
    );
  }
  return lines;
}

/** "What next": the safe k and the mixing weight, one sentence each on what they mean. */
export function suggestions(r: DiagnosticResult): string[] {
  if (!r.gradients) return [];
  const out: string[] = [];
  if (r.safeK !== null) {
    out.push(
      `safe k = ${r.safeK}: the largest k such that, at it and every smaller grid k, the ${pct(r)} interval of ⟨∇J_k,∇J_1⟩ lies entirely above 0 — training pass@k there is not expected to lower pass@1 to first order on prompts like these.`,
    );
  } else {
    out.push(
      `safe k: none — no grid k (not even the smallest) has a ${pct(r)} interval of ⟨∇J_k,∇J_1⟩ entirely above 0${r.bootstrap === 0 ? " (no bootstrap was run)" : ""}.`,
    );
  }
  r.k.forEach((k, s) => {
    const lam = r.mixingLambda[s];
    if (lam === null || lam === 0) return;
    const iv = r.mixingLambdaCI[s];
    out.push(
      `mixing at k = ${k}: train (1−λ)·pass@${k} + λ·pass@1 with λ ≥ ${fmt(lam, 3)}${iv === null ? "" : ` (${pct(r)} CI [${fmt(iv[0], 3)}, ${fmt(iv[1], 3)}])`} — the smallest share of pass@1 that keeps the step's inner product with ∇J_1 non-negative, so pass@1 does not fall to first order.`,
    );
  });
  return out;
}

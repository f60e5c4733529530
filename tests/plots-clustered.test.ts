/**
 * Snapshot and property tests of lib/plots/clustered.ts (notebook 06 §5's k* figure).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { clusteredKStarFigure } from "../lib/plots/clustered";
import { matchSnapshot } from "./helpers/snapshot";

type Trace = { name: string; x: number[]; y: (number | null)[]; yaxis?: string };

describe("clusteredKStarFigure", () => {
  const input = {
    ds: [8, 16],
    overlaps: [0, 0.5, 0.9],
    spreads: [0.25, 1],
    kMax: 4096,
    kStar: [
      [
        [null, 3],
        [null, 2],
        [12, 2],
      ],
      [
        [null, null],
        [20, 3],
        [9, 2],
      ],
    ],
  };
  const fig = clusteredKStarFigure(input);
  const traces = fig.data as unknown as Trace[];
  test("matches its snapshot", () => matchSnapshot("plots-clustered-kstar", fig));
  test("a cell with no conflict is a gap in its line, not a number", () => {
    const line = traces.find((t) => t.name === "spread 0.25" && (t.yaxis ?? "y") === "y")!;
    assert.deepEqual(line.y, [null, null, 12]);
  });
  test("no-conflict cells sit on the top row, above every finite k*, labelled none ≤ kMax", () => {
    const none = traces.filter((t) => t.name.endsWith("no conflict"));
    assert.equal(none.flatMap((t) => t.x).length, 4);
    const layout = fig.layout as Record<string, { tickvals?: number[]; ticktext?: string[] }>;
    const top = layout.yaxis.tickvals!.at(-1)!;
    assert.equal(layout.yaxis.ticktext!.at(-1), "none ≤ 4096");
    for (const t of none) for (const y of t.y) assert.equal(y, top);
    assert.ok(top > 20);
  });
  test("a k* array of the wrong shape names it", () => {
    assert.throws(
      () => clusteredKStarFigure({ ...input, kStar: [input.kStar[0]] }),
      /clusteredKStarFigure: kStar has length 1/,
    );
  });
});

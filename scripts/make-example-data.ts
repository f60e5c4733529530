/**
 * Writes the example inputs of `npm run analyze` (data/example-samples.jsonl and
 * data/example-prompts.csv) from the tfjs stand-in policy of lib/sim/neuralPolicy.ts, seeded:
 *
 *   npx tsx scripts/make-example-data.ts
 *
 * Problems "a + b" and "a − b" mod 5 (50 prompts), a 16-unit hidden layer, a short supervised
 * warm start and a few exact pass@1 steps, then 16 sampled answers per prompt. Each line's
 * `grad` is the last-layer score ∇log π(y|x) (d = 85) projected to 8 numbers by a fixed random
 * projection (lib/sim/neuralPolicy.ts `randomProjection`), rounded to 6 significant digits.
 */
import { writeFileAtomic } from "../lib/export/atomicFile";
import * as fs from "fs";
import * as path from "path";
import { createNeuralPolicy, randomProjection, writeSamplesJsonl } from "../lib/sim/neuralPolicy";
import { createRng } from "../lib/core/rng";

export const EXAMPLE_SEED = 20260226;

async function main(): Promise<void> {
  const rng = createRng(EXAMPLE_SEED);
  const policy = await createNeuralPolicy({
    modulus: 5,
    operations: ["+", "-"],
    hidden: 16,
    rng: rng.split(),
  });
  policy.train({ steps: 200, learningRate: 0.02, targetPassAt1: 0.3, objective: "crossEntropy" });
  policy.train({ steps: 20, learningRate: 0.01, objective: "passAt1" });
  const n = 16;
  const batch = policy.sample(n, rng.split());
  const dOut = 8;
  const projection = { P: randomProjection(policy.d, dOut, rng.split()), dOut };
  const dir = path.join(__dirname, "..", "data");
  fs.mkdirSync(dir, { recursive: true });
  writeSamplesJsonl(path.join(dir, "example-samples.jsonl"), policy, batch, {
    digits: 6,
    projection,
  });
  const rows = ["prompt,n,c"];
  for (let x = 0; x < batch.N; x++) {
    let c = 0;
    for (let j = 0; j < n; j++) c += batch.correct[x * n + j];
    rows.push(`${policy.task.ids[x]},${n},${c}`);
  }
  writeFileAtomic(path.join(dir, "example-prompts.csv"), rows.join("\n") + "\n");
  policy.dispose();
  console.log(
    `wrote data/example-samples.jsonl (${batch.N * n} lines, d = ${dOut}) and data/example-prompts.csv (${batch.N} prompts)`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

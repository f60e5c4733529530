"""The sketch against exact autograd gradients on a tiny float64 transformer (issue 18)."""
import json
import math
import os
import shutil
import tempfile
import unittest

import torch

from tiny_lm import TinyCausalLM, exact_output_grad
import passk_export as pe

V, H = 50, 16
PAIRS = [([1, 2, 3], [4, 5, 6, 7, 8]), ([9, 3], [3, 3, 40, 41]), ([7], [0])]


def sketch_of(model, proj, prompt, completion, token_batch=3):
    fn, W, b = pe.hf_hidden_fn(model)
    ids = torch.tensor(list(prompt) + list(completion))
    hs = fn(ids)
    Lp = len(prompt)
    return pe.sketch_from_hidden(proj, hs[Lp - 1 : -1], ids[Lp:], W, b, token_batch=token_batch)


class SketchExact(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = TinyCausalLM(V, H, seed=1)
        cls.G = [exact_output_grad(cls.model, p, c) for p, c in PAIRS]

    def test_gradient_is_not_trivial(self):
        # guards the comparisons below against a vanishing G
        for G in self.G:
            self.assertEqual(tuple(G.shape), (V, H))
            self.assertGreater(float(G.norm()), 1e-3)

    def test_sketch_equals_projected_autograd_gradient(self):
        for kind in ("gaussian", "rademacher"):
            for r1, r2 in ((4, 3), (7, 5)):
                proj = pe.Projection(V, H, r1, r2, seed=11, kind=kind, dtype=torch.float64)
                for (p, c), G in zip(PAIRS, self.G):
                    for tb in (1, 2, 256):  # token batching must not change the result
                        S = sketch_of(self.model, proj, p, c, token_batch=tb)
                        ref = proj.R.t() @ G @ proj.Q
                        rel = float((S - ref).norm() / ref.norm())
                        self.assertLess(rel, 1e-10, f"{kind} r1={r1} r2={r2} batch={tb}: relative error {rel}")

    def test_wrong_alignment_is_detected(self):
        # the check above can fail: shifting hidden states by one position gives a different sketch
        proj = pe.Projection(V, H, 4, 4, seed=3, dtype=torch.float64)
        p, c = PAIRS[0]
        fn, W, b = pe.hf_hidden_fn(self.model)
        ids = torch.tensor(p + c)
        hs = fn(ids)
        S = pe.sketch_from_hidden(proj, hs[len(p) : len(ids)], ids[len(p) :], W)
        ref = proj.R.t() @ self.G[0] @ proj.Q
        self.assertGreater(float((S - ref).norm() / ref.norm()), 1e-3)

    def test_projection_is_seeded_and_scaled(self):
        a = pe.Projection(V, H, 4, 3, seed=5, dtype=torch.float64)
        b = pe.Projection(V, H, 4, 3, seed=5, dtype=torch.float64)
        c = pe.Projection(V, H, 4, 3, seed=6, dtype=torch.float64)
        self.assertTrue(torch.equal(a.R, b.R) and torch.equal(a.Q, b.Q))
        self.assertFalse(torch.equal(a.R, c.R))
        r = pe.Projection(V, H, 4, 3, seed=5, kind="rademacher", dtype=torch.float64)
        self.assertTrue(torch.allclose(r.R.abs(), torch.full_like(r.R, 0.5)))
        self.assertTrue(torch.allclose(r.Q.abs(), torch.full_like(r.Q, 1 / math.sqrt(3))))

    def test_inner_products_unbiased_over_seeds(self):
        """Mean over 300 seeds of <S(G1), S(G2)> is within 3 standard errors of the exact
        <G1, G2>_F (and of ||G1||^2 for S(G1) with itself). Deterministic seeds 0..299."""
        G1, G2 = self.G[0], self.G[1]
        targets = {"cross": float((G1 * G2).sum()), "self": float((G1 * G1).sum())}
        for kind in ("gaussian", "rademacher"):
            vals = {"cross": [], "self": [], "misscaled": []}
            for seed in range(300):
                proj = pe.Projection(V, H, 4, 4, seed=seed, kind=kind, dtype=torch.float64)
                S1 = sketch_of(self.model, proj, *PAIRS[0])
                S2 = sketch_of(self.model, proj, *PAIRS[1])
                vals["cross"].append(float((S1 * S2).sum()))
                vals["self"].append(float((S1 * S1).sum()))
                vals["misscaled"].append(float((S1 * S1).sum()) * 2)  # a biased estimator
            for name, target in targets.items():
                x = torch.tensor(vals[name])
                se = float(x.std() / math.sqrt(len(x)))
                self.assertGreater(se, 0)
                self.assertLess(abs(float(x.mean()) - target), 3 * se, f"{kind} {name}: mean {float(x.mean())} vs exact {target}, se {se}")
            # the test has power: an estimator biased by a factor 2 is rejected
            x = torch.tensor(vals["misscaled"])
            self.assertGreater(abs(float(x.mean()) - targets["self"]), 3 * float(x.std() / math.sqrt(len(x))))


class SketchRecords(unittest.TestCase):
    def setUp(self):
        self.model = TinyCausalLM(V, H, seed=2)
        self.dir = tempfile.mkdtemp(prefix="passk-sketch-")
        self.proj = pe.Projection(V, H, 3, 2, seed=0, dtype=torch.float64)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, lines):
        path = os.path.join(self.dir, "in.jsonl")
        with open(path, "w") as f:
            f.write("".join(json.dumps(r) + "\n" for r in lines))
        return path

    def run_sketch(self, lines, hidden_fn=None):
        path = self.write(lines)
        fn, W, b = pe.hf_hidden_fn(self.model)
        out = os.path.join(self.dir, "out.jsonl")
        meta = pe.sketch_records(pe.sketch_input_records(path), hidden_fn or fn, W, self.proj, out, bias=b, model_name="tiny")
        return path, out, meta

    def test_writes_jsonl_and_sidecar(self):
        recs = [{"prompt": 'a,"b"\nc', "correct": True, "prompt_tokens": p, "completion_tokens": c} for p, c in PAIRS]
        recs[1]["correct"] = 0
        _, out, meta = self.run_sketch(recs)
        with open(out) as f:
            rows = [json.loads(l) for l in f]
        self.assertEqual([r["correct"] for r in rows], [True, False, True])
        self.assertEqual(rows[0]["prompt"], 'a,"b"\nc')
        G = exact_output_grad(self.model, *PAIRS[2])
        ref = (self.proj.R.t() @ G @ self.proj.Q).reshape(-1)
        self.assertLess(float((torch.tensor(rows[2]["grad"], dtype=torch.float64) - ref).norm() / ref.norm()), 1e-10)
        with open(out + ".sketch.json") as f:
            side = json.load(f)
        for k, v in {"projection": "gaussian", "seed": 0, "r1": 3, "r2": 2, "vocab_size": V, "hidden_size": H, "model": "tiny", "dtype": "float64", "samples": 3}.items():
            self.assertEqual(side[k], v, k)
        self.assertEqual(meta["samples"], 3)
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])

    def assertInputError(self, lines, line, field, pattern, hidden_fn=None):
        with self.assertRaises(pe.InputError) as cm:
            self.run_sketch(lines, hidden_fn)
        e = cm.exception
        self.assertEqual(e.line, line, str(e))
        self.assertEqual(e.field, field, str(e))
        self.assertRegex(str(e), pattern)
        self.assertIn(f"in.jsonl:{line}:", str(e))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.jsonl")), "no partial output")

    def good(self, **kw):
        r = {"prompt": "q", "correct": True, "prompt_tokens": [1, 2], "completion_tokens": [3, 4]}
        r.update(kw)
        return r

    def test_empty_completion(self):
        self.assertInputError([self.good(), self.good(completion_tokens=[])], 2, "completion_tokens", "empty completion")

    def test_missing_fields(self):
        bad = self.good()
        del bad["correct"]
        self.assertInputError([self.good(), self.good(), bad], 3, "correct", "missing")
        bad = self.good()
        del bad["completion_tokens"]
        self.assertInputError([bad], 1, "completion_tokens", "missing")
        self.assertInputError([self.good(prompt_tokens="1 2")], 1, "prompt_tokens", "integer token ids")

    def test_token_length_mismatch(self):
        fn, _, _ = pe.hf_hidden_fn(self.model)
        drops_first = lambda ids: fn(ids)[1:]  # e.g. a tokenizer that added a token the model skipped
        self.assertInputError([self.good(), self.good(completion_tokens=[5, 6, 7])], 1, "completion_tokens", "token length mismatch: 4 tokens.*shape \\(3, 16\\)", hidden_fn=drops_first)

    def test_token_out_of_range(self):
        self.assertInputError([self.good(), self.good(completion_tokens=[3, V])], 2, "completion_tokens", "token id 50 out of range")

    def test_sketch_from_hidden_checks_lengths(self):
        W = self.model.lm_head.weight
        with self.assertRaisesRegex(ValueError, "rec 7: token length mismatch: 3 completion tokens but 2 hidden states"):
            pe.sketch_from_hidden(self.proj, torch.zeros(2, H, dtype=torch.float64), [1, 2, 3], W, where="rec 7")

    def test_logit_check_rejects_wrong_hidden_states(self):
        class PreNorm(torch.nn.Module):  # hidden_states[-1] before the final norm: not W's input
            def __init__(s, m):
                super().__init__()
                s.m = m

            def get_output_embeddings(s):
                return s.m.lm_head

            def forward(s, input_ids, output_hidden_states=False):
                o = s.m(input_ids, output_hidden_states=True)
                o.hidden_states = (o.hidden_states[0],)
                return o

        fn, _, _ = pe.hf_hidden_fn(PreNorm(self.model))
        with self.assertRaisesRegex(ValueError, "logits differ"):
            fn(torch.tensor([1, 2, 3]))


if __name__ == "__main__":
    unittest.main()

"""counts: each input format round-trips to analyze's input, hostile prompt ids included."""
import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
import unittest

import tiny_lm  # noqa: F401  (puts the package directory on sys.path)
import passk_export as pe

HOSTILE = ['a,b', 'say "hi", twice', '  padded  ', 'ünïcødé ✓', '=1+1', 'tab\tsep', '\\', "'", 7, 2**60]


def outcomes(pid_index):
    """Deterministic outcomes per prompt: prompt i gets i % 4 + 2 samples, every other correct."""
    return [(j + pid_index) % 3 == 0 for j in range(pid_index % 4 + 2)]


def expected_counts(ids):
    exp = {}
    for i, pid in enumerate(ids):
        o = outcomes(i)
        exp[str(pid)] = (len(o), sum(o))
    return exp


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="passk-counts-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, records, raw=None):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            if raw is not None:
                f.write(raw)
            else:
                f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        return path

    def read_csv(self, path):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["prompt", "n", "c"])
        return {r[0]: (int(r[1]), int(r[2])) for r in rows[1:]}

    def read_jsonl(self, path):
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f]

    def check_all_outputs(self, inp, fmt, exp, per_sample_expected, **kw):
        out_csv = os.path.join(self.dir, "out.csv")
        self.assertEqual(pe.convert_counts([inp], out_csv, fmt, **kw), len(exp))
        self.assertEqual(self.read_csv(out_csv), exp)
        out_jsonl = os.path.join(self.dir, "out.jsonl")
        pe.convert_counts([inp], out_jsonl, fmt, **kw)
        got = {str(r["prompt"]): (r["n"], r["c"]) for r in self.read_jsonl(out_jsonl)}
        self.assertEqual(got, exp)
        out_ps = os.path.join(self.dir, "samples.jsonl")
        pe.convert_counts([inp], out_ps, fmt, per_sample=True, **kw)
        self.assertEqual([(r["prompt"], r["correct"]) for r in self.read_jsonl(out_ps)], per_sample_expected)
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])


class Formats(Base):
    def test_generic_custom_fields_and_hostile_ids(self):
        recs, ps = [], []
        for i, pid in enumerate(HOSTILE):
            for ok in outcomes(i):
                recs.append({"meta": {"qid": pid}, "is_right": 1 if ok else 0, "text": "…"})
                ps.append((pid if not (isinstance(pid, int) and pid > 2**53) else str(pid), ok))
        inp = self.write("gen.jsonl", recs)
        self.check_all_outputs(inp, "generic", expected_counts(HOSTILE), ps, prompt_field="meta.qid", correct_field="is_right")

    def test_generic_defaults_and_threshold(self):
        inp = self.write("gen.jsonl", [{"prompt": "p", "reward": r} for r in (0.1, 0.9, 0.5, 0.49)])
        self.check_all_outputs(inp, "generic", {"p": (4, 2)}, [("p", False), ("p", True), ("p", True), ("p", False)], threshold=0.5)
        with self.assertRaisesRegex(pe.InputError, r'gen\.jsonl:1: field "reward": is 0\.1, not binary.*--threshold'):
            pe.convert_counts([inp], os.path.join(self.dir, "x.csv"), "generic")

    def test_lm_eval_samples_with_repeats_and_filters(self):
        recs, ps = [], []
        for i, pid in enumerate([0, 1, 2]):
            for ok in outcomes(i):  # a doc_id repeated (several runs concatenated), scalar metric
                for filt, val in (("strict-match", ok), ("flexible-extract", not ok)):
                    recs.append({"doc_id": pid, "doc": {"q": "x"}, "target": "4", "arguments": [["ctx", {}]], "resps": [["r"]], "filtered_resps": ["r"], "filter": filt, "metrics": ["exact_match"], "exact_match": 1.0 if val else 0.0, "doc_hash": "h", "prompt_hash": "p", "target_hash": "t"})
                ps.append((pid, ok))
        # a task logging one value per repeat: a list-valued metric
        recs.append({"doc_id": 3, "filter": "strict-match", "metrics": ["exact_match"], "exact_match": [1, 0, 0, 1, 1], "resps": [["a", "b", "c", "d", "e"]]})
        ps += [(3, v) for v in (True, False, False, True, True)]
        inp = self.write("samples_gsm8k_2025.jsonl", recs)
        exp = expected_counts([0, 1, 2])
        exp["3"] = (5, 3)
        self.check_all_outputs(inp, "lm-eval", exp, ps, lm_eval_filter="strict-match")
        with self.assertRaisesRegex(pe.InputError, r'samples_gsm8k_2025\.jsonl:2: field "filter": .*several filters.*--filter'):
            pe.convert_counts([inp], os.path.join(self.dir, "x.csv"), "lm-eval")

    def test_lm_eval_acc_metric_autodetected(self):
        inp = self.write("s.jsonl", [{"doc_id": 5, "acc": 1.0}, {"doc_id": 5, "acc": 0.0}])
        self.check_all_outputs(inp, "lm-eval", {"5": (2, 1)}, [(5, True), (5, False)])

    def test_rollout_verl_and_trl_style(self):
        recs, ps = [], []
        prompts = ['Solve: 1+1=?\nAnswer with "a number", please', "x,y"]
        for i, pid in enumerate(prompts):
            for ok in outcomes(i):
                recs.append({"input": pid, "output": "…", "gts": "2", "score": 0.8 if ok else -0.2, "step": 10})
                recs.append({"input": pid, "output": "…", "gts": "2", "score": 0.0, "step": 20})  # another step: skipped
                ps.append((pid, ok))
        inp = self.write("10.jsonl", recs)
        exp = expected_counts(prompts)
        # the CSV refuses the id with a line break (analyze reads CSV line by line); JSONL keeps it
        with self.assertRaisesRegex(ValueError, "contains a line break.*write JSONL"):
            pe.convert_counts([inp], os.path.join(self.dir, "out.csv"), "rollout", threshold=0.5, step="10")
        out = os.path.join(self.dir, "out.jsonl")
        pe.convert_counts([inp], out, "rollout", threshold=0.5, step="10")
        self.assertEqual({r["prompt"]: (r["n"], r["c"]) for r in self.read_jsonl(out)}, exp)
        out_ps = os.path.join(self.dir, "ps.jsonl")
        pe.convert_counts([inp], out_ps, "rollout", threshold=0.5, step="10", per_sample=True)
        self.assertEqual([(r["prompt"], r["correct"]) for r in self.read_jsonl(out_ps)], ps)
        with self.assertRaisesRegex(pe.InputError, r'10\.jsonl:2: field "step": .*several training steps'):
            pe.convert_counts([inp], out, "rollout", threshold=0.5)
        trl = self.write("trl.jsonl", [{"prompt": "p q", "completion": "c", "reward": r} for r in (1.0, 0.0, 1.0)])
        self.check_all_outputs(trl, "rollout", {"p q": (3, 2)}, [("p q", True), ("p q", False), ("p q", True)])


class BadInput(Base):
    def expect(self, records, fmt, line, field, pattern, raw=None, **kw):
        inp = self.write("bad.jsonl", records, raw)
        out = os.path.join(self.dir, "out.csv")
        with self.assertRaises(pe.InputError) as cm:
            pe.convert_counts([inp], out, fmt, **kw)
        e = cm.exception
        self.assertEqual((e.line, e.field), (line, field), str(e))
        self.assertRegex(str(e), pattern)
        self.assertTrue(str(e).startswith(f"{inp}:{line}: "), str(e))
        self.assertFalse(os.path.exists(out), "no partial output")

    def test_empty_file(self):
        self.expect(None, "generic", 1, None, "no records", raw="\n  \n")

    def test_missing_prompt(self):
        self.expect([{"prompt": "a", "correct": 1}, {"correct": 1}], "generic", 2, "prompt", "missing")

    def test_missing_outcome(self):
        self.expect([{"prompt": "a", "correct": 1}, {"prompt": "a", "correct": 0}, {"prompt": "a"}], "generic", 3, "correct", "missing")

    def test_non_numeric_reward(self):
        self.expect([{"input": "a", "output": "o", "score": "high"}], "rollout", 1, "score", 'must be a number or boolean, got string "high"', threshold=0.5)

    def test_nan_reward(self):
        self.expect(None, "rollout", 1, "score", "must be finite", raw='{"input": "a", "output": "o", "score": NaN}\n', threshold=0.5)

    def test_missing_response(self):
        self.expect([{"input": "a", "score": 1}], "rollout", 1, "response", "missing")

    def test_bad_json_and_non_object(self):
        self.expect(None, "generic", 2, None, "malformed JSON", raw='{"prompt": "a", "correct": 1}\n{"prompt": \n')
        self.expect(None, "generic", 1, None, "expected a JSON object", raw="[1, 2]\n")

    def test_bad_prompt_ids(self):
        self.expect([{"prompt": "", "correct": 1}], "generic", 1, "prompt", "must not be empty")
        self.expect([{"prompt": 1.5, "correct": 1}], "generic", 1, "prompt", "string or an integer")
        self.expect([{"doc_id": None, "exact_match": 1}], "lm-eval", 1, "doc_id", "missing")

    def test_lm_eval_without_metric(self):
        self.expect([{"doc_id": 1, "resps": []}], "lm-eval", 1, "metrics", "no metric field")

    def test_cli_exit_codes_and_message(self):
        inp = self.write("cli.jsonl", [{"prompt": "a", "correct": True}, {"prompt": "a", "correct": "yes"}])
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = pe.main(["counts", inp, "-o", os.path.join(self.dir, "o.csv")])
        self.assertEqual(code, 1)
        self.assertIn(f'{inp}:2: field "correct": must be a number or boolean', err.getvalue())
        ok = self.write("ok.jsonl", [{"prompt": "a", "correct": True}])
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(pe.main(["counts", ok, "-o", os.path.join(self.dir, "o.csv")]), 0)
        self.assertEqual(self.read_csv(os.path.join(self.dir, "o.csv")), {"a": (1, 1)})


if __name__ == "__main__":
    unittest.main()

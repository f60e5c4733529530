#!/usr/bin/env python3
"""passk_export: from a PyTorch model's samples to the input of ``npm run analyze`` (issue 18).

Two subcommands (and the same functions as a Python API):

``counts``
    Converts sampling dumps into what analyze reads: per-prompt counts (CSV ``prompt,n,c`` or
    JSONL ``{"prompt","n","c"}``) or per-sample JSONL ``{"prompt","correct"}``.  Input formats:
    ``generic`` (JSONL with a prompt id and a correct/reward field, names as options),
    ``lm-eval`` (lm-evaluation-harness ``samples_*.jsonl``, with repeats) and ``rollout``
    (verl/TRL-style dumps: prompt, response, reward; verl writes ``input``/``output``/``score``).

``sketch``
    For each (prompt, completion) a fixed-size sketch of the last-layer score
    ``G = d log pi(y|x) / dW = sum_t (e_{y_t} - softmax(z_t)) h_t^T`` (V x h), computed per
    token batch without forming G:  ``S = R^T G Q`` with seeded random ``R`` (V x r1) and ``Q``
    (h x r2) whose entries have variance 1/r1 and 1/r2, so that E<S(G1), S(G2)>_F = <G1, G2>_F.
    ``R^T (e_y - softmax z) = R[y] - softmax(z)^T R`` and ``S = sum_t (R^T u_t)(Q^T h_t)^T``.
    Writes per-sample JSONL ``{"prompt","correct","grad"}`` (grad = S flattened row-major,
    r1*r2 numbers) and a sidecar ``OUT.sketch.json`` describing the projection.

Only PyTorch is needed (transformers only for the ``sketch`` CLI on a Hugging Face model).
Every input problem raises :class:`InputError` naming the file, the 1-based line and the field.
Outputs are written to a temporary file in the destination directory and renamed into place.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import tempfile
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

__all__ = [
    "InputError",
    "Sample",
    "read_samples",
    "write_counts",
    "convert_counts",
    "Projection",
    "sketch_from_hidden",
    "sketch_records",
    "hf_hidden_fn",
    "main",
]

SKETCH_FORMAT = "passk-sketch/1"
MAX_SAFE_INT = 2**53 - 1  # analyze (JavaScript) reads integer ids exactly only up to this


class InputError(ValueError):
    """A problem in an input record: ``file:line: field "f": detail``."""

    def __init__(self, file: str, line: int, field: Optional[str], detail: str):
        where = f"{file}:{line}" if line > 0 else file
        fld = f'field "{field}": ' if field else ""
        super().__init__(f"{where}: {fld}{detail}")
        self.file, self.line, self.field, self.detail = file, line, field, detail


# ----------------------------------------------------------------------------------------------
# Atomic output
# ----------------------------------------------------------------------------------------------


class AtomicWriter:
    """Text file written to a temp file in the same directory, renamed over ``path`` on success."""

    def __init__(self, path: str):
        self.path = path
        d = os.path.dirname(os.path.abspath(path))
        fd, self.tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
        self.f = io.open(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> "AtomicWriter":
        return self

    def write(self, s: str) -> None:
        self.f.write(s)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.f.flush()
                os.fsync(self.f.fileno())
            self.f.close()
            if exc_type is None:
                os.replace(self.tmp, self.path)
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)


def write_text_atomic(path: str, text: str) -> None:
    with AtomicWriter(path) as w:
        w.write(text)


# ----------------------------------------------------------------------------------------------
# Reading records
# ----------------------------------------------------------------------------------------------


def _describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean {json.dumps(v)}"
    if isinstance(v, (int, float)):
        return f"number {v!r}"
    if isinstance(v, str):
        return f"string {json.dumps(v)[:60]}"
    if isinstance(v, list):
        return "an array"
    return "an object"


def iter_jsonl(path: str) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yields (line number, object) for each non-blank line; raises InputError for bad JSON,
    non-objects and a file without records."""
    n = 0
    try:
        f = open(path, "r", encoding="utf-8-sig", newline="")
    except OSError as e:
        raise InputError(path, 0, None, f"cannot read the file ({e.strerror})") from None
    with f:
        lineno = 0
        for raw in f:
            lineno += 1
            text = raw.rstrip("\r\n")
            if text.strip() == "":
                continue
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(path, lineno, None, f"malformed JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(rec, dict):
                raise InputError(path, lineno, None, f"expected a JSON object, got {_describe(rec)}")
            n += 1
            yield lineno, rec
    if n == 0:
        raise InputError(path, 1, None, "the file has no records (empty file)")


def _prompt_id(path: str, line: int, field: str, v: Any) -> Any:
    if v is None:
        raise InputError(path, line, field, "missing" if v is None else "")
    if isinstance(v, bool):
        raise InputError(path, line, field, f"must be a string or an integer, got {_describe(v)}")
    if isinstance(v, int):
        return v if abs(v) <= MAX_SAFE_INT else str(v)
    if isinstance(v, str):
        if v == "":
            raise InputError(path, line, field, "must not be empty")
        return v
    raise InputError(path, line, field, f"must be a string or an integer, got {_describe(v)}")


def _outcome(path: str, line: int, field: str, v: Any, threshold: Optional[float]) -> bool:
    """true/false/0/1 (or, with a threshold, any finite number: correct iff value >= threshold)."""
    if v is None:
        raise InputError(path, line, field, "missing")
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        try:
            v2 = float(v)
        except ValueError:
            raise InputError(path, line, field, f"must be a number or boolean, got {_describe(v)}") from None
        v = v2
    if not isinstance(v, (int, float)):
        raise InputError(path, line, field, f"must be a number or boolean, got {_describe(v)}")
    if not math.isfinite(v):
        raise InputError(path, line, field, f"must be finite, got {v!r}")
    if threshold is not None:
        return v >= threshold
    if v == 1:
        return True
    if v == 0:
        return False
    raise InputError(path, line, field, f"is {v!r}, not binary (0/1/true/false); pass --threshold T to count values >= T as correct")


def _get(rec: Dict[str, Any], field: str) -> Any:
    """rec[field], where a dotted name reaches into nested objects (``reward_extra.acc``)."""
    if field in rec:
        return rec[field]
    cur: Any = rec
    for part in field.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _pick(rec: Dict[str, Any], wanted: Optional[str], candidates: Sequence[str]) -> Optional[str]:
    if wanted is not None:
        return wanted
    for c in candidates:
        if c in rec:
            return c
    return None


class Sample:
    """One sampled response: prompt id, outcome, and the raw record (for the sketch)."""

    __slots__ = ("prompt", "correct", "line", "record")

    def __init__(self, prompt: Any, correct: bool, line: int, record: Dict[str, Any]):
        self.prompt, self.correct, self.line, self.record = prompt, correct, line, record


GENERIC_PROMPT = ("prompt", "prompt_id", "id", "question_id", "uid")
GENERIC_OUTCOME = ("correct", "reward", "score", "acc", "exact_match")
ROLLOUT_PROMPT = ("prompt", "input", "query", "question")
ROLLOUT_RESPONSE = ("response", "output", "completion")
ROLLOUT_REWARD = ("reward", "score", "rewards", "acc")
LMEVAL_METRICS = ("exact_match", "acc", "pass@1", "pass_at_1", "correct", "em")


def read_samples(
    path: str,
    fmt: str = "generic",
    prompt_field: Optional[str] = None,
    correct_field: Optional[str] = None,
    threshold: Optional[float] = None,
    lm_eval_filter: Optional[str] = None,
    step: Optional[Any] = None,
) -> Iterator[Sample]:
    """Streams the samples of one dump in file order (= sampling order within a prompt).

    fmt ``generic``: one record per sample; prompt id in ``prompt_field`` (default: the first of
    prompt, prompt_id, id, question_id, uid present), outcome in ``correct_field`` (default:
    correct, reward, score, acc, exact_match).
    fmt ``rollout`` (verl ``input/output/score``, TRL-style ``prompt/completion/reward``): the
    prompt text is the id; a record must also carry a response field.  With a ``step`` field
    taking several values, pass ``step`` (samples of different policies must not be mixed).
    fmt ``lm-eval``: lm-evaluation-harness ``samples_*.jsonl``; prompt id ``doc_id``; outcome the
    metric ``correct_field`` (default: the record's only entry of ``metrics``, else the first
    of exact_match, acc, pass@1 present).  A scalar metric is one sample (a doc_id may repeat:
    e.g. several runs concatenated); a list of numbers (a task logging one value per repeat) is
    one sample per entry.  Records of other filters than ``lm_eval_filter`` are skipped; several
    filters without ``lm_eval_filter`` is an error.
    """
    if fmt not in ("generic", "rollout", "lm-eval"):
        raise ValueError(f"unknown format {fmt!r} (generic, rollout, lm-eval)")
    seen_filters: List[str] = []
    seen_step: List[Any] = []
    for line, rec in iter_jsonl(path):
        if fmt == "lm-eval":
            filt = rec.get("filter")
            if filt is not None:
                if lm_eval_filter is None:
                    if seen_filters and filt not in seen_filters:
                        raise InputError(path, line, "filter", f"the file holds records of several filters ({seen_filters[0]!r}, {filt!r}); choose one with --filter")
                    if not seen_filters:
                        seen_filters.append(filt)
                elif filt != lm_eval_filter:
                    continue
            pid = _prompt_id(path, line, "doc_id", rec.get("doc_id"))
            mf = correct_field
            if mf is None:
                ms = rec.get("metrics")
                if isinstance(ms, list) and len(ms) == 1 and isinstance(ms[0], str):
                    mf = ms[0]
                else:
                    mf = _pick(rec, None, LMEVAL_METRICS)
                if mf is None:
                    raise InputError(path, line, "metrics", "no metric field found (looked for " + ", ".join(LMEVAL_METRICS) + "); name it with --correct-field")
            v = rec.get(mf)
            if isinstance(v, list):
                if not v:
                    raise InputError(path, line, mf, "is an empty list (no responses)")
                for j, x in enumerate(v):
                    yield Sample(pid, _outcome(path, line, f"{mf}[{j}]", x, threshold), line, rec)
            else:
                yield Sample(pid, _outcome(path, line, mf, v, threshold), line, rec)
            continue
        if fmt == "rollout":
            if "step" in rec:
                s = rec["step"]
                if step is not None:
                    if str(s) != str(step):
                        continue
                elif not seen_step:
                    seen_step.append(s)
                elif s != seen_step[0]:
                    raise InputError(path, line, "step", f"the dump holds several training steps ({seen_step[0]!r}, {s!r}): samples of different policies must not be pooled; choose one with --step")
            pf = _pick(rec, prompt_field, ROLLOUT_PROMPT) or (prompt_field or "prompt")
            rf = _pick(rec, None, ROLLOUT_RESPONSE)
            if rf is None:
                raise InputError(path, line, "response", "missing (looked for " + ", ".join(ROLLOUT_RESPONSE) + ")")
            of = _pick(rec, correct_field, ROLLOUT_REWARD) or (correct_field or "reward")
        else:
            pf = _pick(rec, prompt_field, GENERIC_PROMPT) or (prompt_field or "prompt")
            of = _pick(rec, correct_field, GENERIC_OUTCOME) or (correct_field or "correct")
        pid = _prompt_id(path, line, pf, _get(rec, pf))
        yield Sample(pid, _outcome(path, line, of, _get(rec, of), threshold), line, rec)


def _count(samples: Iterable[Sample]) -> "Dict[Any, List[int]]":
    table: Dict[Any, List[int]] = {}
    for s in samples:
        key = s.prompt
        if isinstance(key, int):
            key = str(key)  # analyze reads the integer 7 and the string "7" as one prompt
        slot = table.get(key)
        if slot is None:
            slot = table[key] = [0, 0]
        slot[0] += 1
        slot[1] += 1 if s.correct else 0
    return table


def write_counts(samples: Iterable[Sample], out: str, per_sample: bool = False) -> int:
    """Writes per-prompt counts (``.csv`` -> CSV ``prompt,n,c``; else JSONL) or, with
    ``per_sample``, per-sample JSONL ``{"prompt","correct"}`` in input order (streamed).
    Returns the number of lines written (without the CSV header)."""
    csv_out = out.lower().endswith(".csv")
    if per_sample:
        if csv_out:
            raise ValueError("per-sample output is JSONL (analyze reads per-sample records only from JSONL); use a .jsonl name")
        n = 0
        with AtomicWriter(out) as w:
            for s in samples:
                w.write(json.dumps({"prompt": s.prompt, "correct": s.correct}) + "\n")
                n += 1
        return n
    table = _count(samples)
    with AtomicWriter(out) as w:
        if csv_out:
            cw = csv.writer(w, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
            cw.writerow(["prompt", "n", "c"])
            for pid, (n, c) in table.items():
                if "\n" in pid or "\r" in pid:
                    raise ValueError(
                        f"prompt id {json.dumps(pid)[:80]} contains a line break: refused for CSV, where it is easy to mangle in other tools; write JSONL instead (an output name not ending in .csv)"
                    )
                cw.writerow([pid, n, c])
        else:
            for pid, (n, c) in table.items():
                w.write(json.dumps({"prompt": pid, "n": n, "c": c}) + "\n")
    return len(table)


def convert_counts(inputs: Sequence[str], out: str, fmt: str = "generic", per_sample: bool = False, **kw: Any) -> int:
    """read_samples over every input file (in order) into :func:`write_counts`."""

    def gen() -> Iterator[Sample]:
        for p in inputs:
            yield from read_samples(p, fmt, **kw)

    return write_counts(gen(), out, per_sample=per_sample)


# ----------------------------------------------------------------------------------------------
# Sketch
# ----------------------------------------------------------------------------------------------


def _torch():
    try:
        import torch  # noqa: WPS433
    except ImportError:  # pragma: no cover
        raise SystemExit("error: the sketch needs PyTorch (python3 -c 'import torch' failed); on Debian: apt-get install python3-torch") from None
    return torch


class Projection:
    """The random matrices R (V x r1) and Q (h x r2) of one sketch, entries of variance 1/r1 and
    1/r2 (Gaussian, or Rademacher +-1/sqrt(r)), drawn on the CPU in float64 from ``seed`` (so the
    same seed gives the same matrices on every device), then moved to ``device``/``dtype``."""

    def __init__(self, vocab_size: int, hidden_size: int, r1: int, r2: int, seed: int = 0, kind: str = "gaussian", device: Any = "cpu", dtype: Any = None):
        torch = _torch()
        if kind not in ("gaussian", "rademacher"):
            raise ValueError(f"projection kind must be gaussian or rademacher, got {kind!r}")
        for name, v in (("vocab_size", vocab_size), ("hidden_size", hidden_size), ("r1", r1), ("r2", r2)):
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.V, self.h, self.r1, self.r2, self.seed, self.kind = vocab_size, hidden_size, r1, r2, seed, kind
        self.dtype = dtype if dtype is not None else torch.float32
        g = torch.Generator(device="cpu")
        g.manual_seed(int(seed))

        def draw(rows: int, cols: int) -> Any:
            if kind == "gaussian":
                m = torch.randn(rows, cols, generator=g, dtype=torch.float64)
            else:
                m = torch.randint(0, 2, (rows, cols), generator=g, dtype=torch.int64).to(torch.float64) * 2 - 1
            return (m / math.sqrt(cols)).to(device=device, dtype=self.dtype)

        self.R = draw(vocab_size, r1)
        self.Q = draw(hidden_size, r2)

    def describe(self) -> Dict[str, Any]:
        return {"projection": self.kind, "seed": self.seed, "r1": self.r1, "r2": self.r2, "vocab_size": self.V, "hidden_size": self.h}


def sketch_from_hidden(proj: Projection, hidden: Any, targets: Any, weight: Any, bias: Any = None, token_batch: int = 256, where: str = "sample") -> Any:
    """Sketch R^T G Q (r1 x r2) of G = sum_t (e_{y_t} - softmax(W h_t + b)) h_t^T.

    hidden: (T, h) final hidden states, row t being the state that predicts targets[t];
    targets: T token ids; weight: W (V x h); bias: optional (V,).  Memory per batch:
    token_batch x V logits.  Raises InputError-like ValueError naming ``where`` on bad shapes."""
    torch = _torch()
    if hidden.dim() != 2:
        raise ValueError(f"{where}: hidden states must be (T, h), got shape {tuple(hidden.shape)}")
    T = hidden.shape[0]
    targets = torch.as_tensor(targets, dtype=torch.long, device=hidden.device).reshape(-1)
    if T != targets.shape[0]:
        raise ValueError(f"{where}: token length mismatch: {targets.shape[0]} completion tokens but {T} hidden states")
    if T == 0:
        raise ValueError(f"{where}: empty completion (no tokens to score)")
    V, h = weight.shape
    if (V, h) != (proj.V, proj.h) or hidden.shape[1] != h:
        raise ValueError(f"{where}: shapes do not match the projection: W {tuple(weight.shape)}, hidden {tuple(hidden.shape)}, projection V={proj.V} h={proj.h}")
    if int(targets.min()) < 0 or int(targets.max()) >= V:
        raise ValueError(f"{where}: token id out of range [0, {V}): {int(targets.min())}..{int(targets.max())}")
    dt = proj.dtype
    R = proj.R.to(hidden.device)
    Q = proj.Q.to(hidden.device)
    W = weight.to(dt)
    b = None if bias is None else bias.to(dt)
    S = torch.zeros(proj.r1, proj.r2, dtype=dt, device=hidden.device)
    with torch.no_grad():
        for s in range(0, T, token_batch):
            hb = hidden[s : s + token_batch].to(dt)
            yb = targets[s : s + token_batch]
            z = hb @ W.t()
            if b is not None:
                z = z + b
            p = torch.softmax(z, dim=-1)  # (B, V)
            a = R.index_select(0, yb) - p @ R  # (B, r1) = R^T (e_y - p)
            c = hb @ Q  # (B, r2)
            S += a.t() @ c
    return S


def hf_hidden_fn(model: Any, check_logits: bool = True) -> Tuple[Callable[[Any], Any], Any, Any]:
    """Duck-typed glue for a Hugging Face causal LM (or anything with the same surface):
    ``model(input_ids=ids[None], output_hidden_states=True)`` returning ``.hidden_states`` (last
    one = input of the output layer, after the final norm) and ``.logits``, and
    ``model.get_output_embeddings()`` with ``.weight`` (V x h) and optional ``.bias``.

    Returns (hidden_fn, W, b), hidden_fn(ids) -> (L, h).  With check_logits, the first call checks
    logits == hidden W^T + b, i.e. that the last hidden state really is the output layer's input
    (it is not for models with logit soft-capping or scaling, whose score this formula misses)."""
    torch = _torch()
    head = model.get_output_embeddings()
    W = head.weight
    b = getattr(head, "bias", None)
    state = {"checked": not check_logits}

    def fn(ids: Any) -> Any:
        with torch.no_grad():
            out = model(input_ids=ids.reshape(1, -1), output_hidden_states=True)
        hs = out.hidden_states[-1][0]
        if not state["checked"]:
            z = hs.to(torch.float32) @ W.to(torch.float32).t()
            if b is not None:
                z = z + b.to(torch.float32)
            ref = out.logits[0].to(torch.float32)
            err = float((z - ref).abs().max()) / max(float(ref.abs().max()), 1e-30)
            if err > 2e-2:
                raise ValueError(
                    f"the model's logits differ from hidden_states[-1] @ W^T (relative error {err:.3g}): its last hidden state is not the input of the output layer (missing final norm, logit scaling or soft-capping?); pass a custom hidden_fn"
                )
            state["checked"] = True
        return hs

    return fn, W, b


def _token_list(path: str, line: int, field: str, v: Any) -> List[int]:
    if v is None:
        raise InputError(path, line, field, "missing")
    if not isinstance(v, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in v):
        raise InputError(path, line, field, f"must be an array of integer token ids, got {_describe(v)}")
    return v


def sketch_records(
    records: Iterable[Tuple[str, int, Any, bool, List[int], List[int]]],
    hidden_fn: Callable[[Any], Any],
    weight: Any,
    proj: Projection,
    out: str,
    bias: Any = None,
    token_batch: int = 256,
    device: Any = None,
    model_name: str = "",
    extra: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """Streams records (file, line, prompt id, correct, prompt token ids, completion token ids)
    through the model and writes per-sample JSONL to ``out`` (atomically) plus ``out.sketch.json``.

    hidden_fn(ids: LongTensor[L]) -> (L, h) hidden states (row t predicts ids[t+1]).  Memory is
    independent of the number of records; each record's sketch is written as soon as computed.
    Errors name the record (file:line)."""
    torch = _torch()
    dev = device if device is not None else weight.device
    # cast the output layer once (not per sample): a V x h copy in the sketch dtype
    weight = weight.detach().to(device=dev, dtype=proj.dtype)
    bias = None if bias is None else bias.detach().to(device=dev, dtype=proj.dtype)
    n = 0
    tokens = 0
    t0 = time.time()
    with AtomicWriter(out) as w:
        for path, line, pid, correct, ptoks, ctoks in records:
            if len(ptoks) == 0:
                raise InputError(path, line, "prompt_tokens", "empty prompt: the first completion token needs a preceding position (add a BOS token)")
            if len(ctoks) == 0:
                raise InputError(path, line, "completion_tokens", "empty completion (no tokens to score)")
            for f, toks in (("prompt_tokens", ptoks), ("completion_tokens", ctoks)):
                bad = [t for t in toks if not 0 <= t < proj.V]
                if bad:
                    raise InputError(path, line, f, f"token id {bad[0]} out of range [0, {proj.V}) (vocabulary size of the output layer)")
            ids = torch.tensor(list(ptoks) + list(ctoks), dtype=torch.long, device=dev)
            hs = hidden_fn(ids)
            if hs.dim() != 2 or hs.shape[0] != ids.shape[0]:
                raise InputError(path, line, "completion_tokens", f"token length mismatch: {ids.shape[0]} tokens (prompt {len(ptoks)} + completion {len(ctoks)}) but hidden states of shape {tuple(hs.shape)}")
            Lp = len(ptoks)
            try:
                S = sketch_from_hidden(proj, hs[Lp - 1 : -1], ids[Lp:], weight, bias, token_batch, where=f"{path}:{line}")
            except ValueError as e:
                raise InputError(path, line, None, str(e).split(": ", 1)[-1]) from None
            g = S.reshape(-1).to(torch.float64).cpu().tolist()
            if not all(math.isfinite(x) for x in g):
                raise InputError(path, line, None, f"the sketch is not finite (overflow in dtype {proj.dtype}?)")
            w.write(json.dumps({"prompt": pid, "correct": bool(correct), "grad": g}) + "\n")
            n += 1
            tokens += len(ctoks)
    if n == 0:
        raise InputError(out, 0, None, "no records to sketch")
    meta = {
        "format": SKETCH_FORMAT,
        "grad": "vec(R^T G Q), row-major r1 x r2, G = d log pi(y|x)/dW (sum over completion tokens), W the output layer (V x h)",
        **proj.describe(),
        "scale": "entries of R ~ 1/sqrt(r1), of Q ~ 1/sqrt(r2): E<S1,S2> = <G1,G2>",
        "model": model_name,
        "dtype": str(proj.dtype).replace("torch.", ""),
        "samples": n,
        "completion_tokens": tokens,
        "seconds": round(time.time() - t0, 3),
    }
    if extra:
        meta.update(extra)
    write_text_atomic(out + ".sketch.json", json.dumps(meta, indent=2) + "\n")
    return meta


def sketch_input_records(
    path: str,
    fmt: str = "generic",
    prompt_field: Optional[str] = None,
    correct_field: Optional[str] = None,
    threshold: Optional[float] = None,
    tokenizer: Any = None,
    prompt_text_field: Optional[str] = None,
    completion_text_field: Optional[str] = None,
    **kw: Any,
) -> Iterator[Tuple[str, int, Any, bool, List[int], List[int]]]:
    """Records for :func:`sketch_records` from a JSONL dump: token ids from ``prompt_tokens`` and
    ``completion_tokens``, or (with a tokenizer) from text fields, the prompt encoded with the
    tokenizer's special tokens and the completion without."""
    for s in read_samples(path, fmt, prompt_field=prompt_field, correct_field=correct_field, threshold=threshold, **kw):
        rec = s.record
        if "prompt_tokens" in rec or "completion_tokens" in rec or tokenizer is None:
            pt = _token_list(path, s.line, "prompt_tokens", rec.get("prompt_tokens"))
            ct = _token_list(path, s.line, "completion_tokens", rec.get("completion_tokens"))
        else:
            pf = prompt_text_field or _pick(rec, None, ("prompt_text",) + ROLLOUT_PROMPT) or "prompt_text"
            cf = completion_text_field or _pick(rec, None, ("completion_text",) + ROLLOUT_RESPONSE) or "completion_text"
            ptxt, ctxt = rec.get(pf), rec.get(cf)
            for f, v in ((pf, ptxt), (cf, ctxt)):
                if not isinstance(v, str):
                    raise InputError(path, s.line, f, "missing" if v is None else f"must be a string, got {_describe(v)}")
            pt = list(tokenizer(ptxt, add_special_tokens=True)["input_ids"])
            ct = list(tokenizer(ctxt, add_special_tokens=False)["input_ids"])
        yield path, s.line, s.prompt, s.correct, pt, ct


# ----------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------


def _add_reading(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", dest="fmt", choices=("generic", "lm-eval", "rollout"), default="generic", help="input format (default generic)")
    p.add_argument("--prompt-field", help="field holding the prompt id (dots reach into objects)")
    p.add_argument("--correct-field", help="field holding the outcome (correct / reward / metric)")
    p.add_argument("--threshold", type=float, help="continuous rewards: correct iff value >= THRESHOLD")
    p.add_argument("--filter", dest="lm_eval_filter", help="lm-eval: the filter whose records to use")
    p.add_argument("--step", help="rollout: the training step whose samples to use")


def _reading_kw(a: argparse.Namespace) -> Dict[str, Any]:
    return dict(prompt_field=a.prompt_field, correct_field=a.correct_field, threshold=a.threshold, lm_eval_filter=a.lm_eval_filter, step=a.step)


DTYPES = ("float16", "bfloat16", "float32", "float64")


def _cmd_sketch(a: argparse.Namespace) -> int:
    torch = _torch()
    try:
        import transformers  # noqa: F401
    except ImportError:
        print("error: `sketch --model` loads a Hugging Face model and needs the transformers package (pip install transformers); from Python, call sketch_records with your own hidden_fn instead", file=sys.stderr)
        return 2
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=getattr(torch, a.model_dtype)).to(a.device).eval()
    tok = AutoTokenizer.from_pretrained(a.model)
    fn, W, b = hf_hidden_fn(model)
    proj = Projection(W.shape[0], W.shape[1], a.r1, a.r2, a.seed, a.projection, device=a.device, dtype=getattr(torch, a.dtype))
    recs = sketch_input_records(a.input, a.fmt, tokenizer=tok, prompt_text_field=a.prompt_text_field, completion_text_field=a.completion_text_field, **_reading_kw(a))
    meta = sketch_records(recs, fn, W, proj, a.output, bias=b, token_batch=a.token_batch, device=a.device, model_name=a.model, extra={"model_dtype": a.model_dtype})
    print(f"wrote {meta['samples']} sketches (d = {a.r1 * a.r2}) to {a.output} and {a.output}.sketch.json in {meta['seconds']} s", file=sys.stderr)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="passk_export", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    pc = sub.add_parser("counts", help="sampling dumps -> per-prompt counts (CSV/JSONL) or per-sample JSONL")
    pc.add_argument("inputs", nargs="+", help="JSONL dumps, read in order")
    pc.add_argument("-o", "--output", required=True, help="OUT.csv (prompt,n,c) or OUT.jsonl")
    pc.add_argument("--per-sample", action="store_true", help="write per-sample JSONL {prompt, correct} instead of counts")
    _add_reading(pc)
    ps = sub.add_parser("sketch", help="sketched last-layer scores of a Hugging Face causal LM")
    ps.add_argument("input", help="JSONL: prompt id, outcome, and prompt_tokens/completion_tokens (ids) or prompt/completion text")
    ps.add_argument("-o", "--output", required=True, help="per-sample JSONL for analyze (sidecar OUT.sketch.json)")
    ps.add_argument("--model", required=True, help="Hugging Face model name or path")
    ps.add_argument("--r1", type=int, default=64)
    ps.add_argument("--r2", type=int, default=64)
    ps.add_argument("--seed", type=int, default=0)
    ps.add_argument("--projection", choices=("gaussian", "rademacher"), default="gaussian")
    ps.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    ps.add_argument("--dtype", choices=DTYPES, default="float32", help="dtype of the sketch computation (default float32)")
    ps.add_argument("--model-dtype", choices=DTYPES, default="bfloat16", help="dtype the model is loaded in (default bfloat16)")
    ps.add_argument("--token-batch", type=int, default=256, help="tokens per softmax batch (memory: TOKEN_BATCH x V)")
    ps.add_argument("--prompt-text-field")
    ps.add_argument("--completion-text-field")
    _add_reading(ps)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "counts":
            n = convert_counts(a.inputs, a.output, a.fmt, per_sample=a.per_sample, **_reading_kw(a))
            print(f"wrote {n} {'samples' if a.per_sample else 'prompts'} to {a.output}", file=sys.stderr)
            return 0
        return _cmd_sketch(a)
    except (InputError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _has_cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(main())

"""A tiny randomly initialised causal transformer with the Hugging Face surface the exporter
duck-types: ``model(input_ids=..., output_hidden_states=True)`` -> ``.logits``, ``.hidden_states``
(the last one after the final LayerNorm, i.e. the input of the output layer) and
``get_output_embeddings()``.  No weights are downloaded."""
import os
import sys
from types import SimpleNamespace

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


class TinyCausalLM(torch.nn.Module):
    def __init__(self, vocab=50, hidden=16, heads=2, max_len=64, seed=0, dtype=torch.float64):
        super().__init__()
        torch.manual_seed(seed)
        self.embed = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(max_len, hidden)
        self.block = torch.nn.TransformerEncoderLayer(hidden, heads, dim_feedforward=2 * hidden, dropout=0.0, batch_first=True)
        self.norm = torch.nn.LayerNorm(hidden)
        self.lm_head = torch.nn.Linear(hidden, vocab, bias=False)
        with torch.no_grad():  # larger output weights: peaked, non-uniform next-token distributions
            self.lm_head.weight.mul_(6.0)
        self.to(dtype)
        self.eval()

    def get_output_embeddings(self):
        return self.lm_head

    def forward(self, input_ids, output_hidden_states=False):
        L = input_ids.shape[1]
        x = self.embed(input_ids) + self.pos(torch.arange(L, device=input_ids.device))[None]
        mask = torch.triu(torch.full((L, L), float("-inf"), dtype=x.dtype, device=x.device), diagonal=1)
        h0 = x
        x = self.block(x, src_mask=mask)
        h = self.norm(x)
        logits = self.lm_head(h)
        return SimpleNamespace(logits=logits, hidden_states=(h0, h) if output_hidden_states else None)

    @torch.no_grad()
    def sample(self, prompt, n_new, generator):
        ids = list(prompt)
        for _ in range(n_new):
            logits = self(torch.tensor([ids])).logits[0, -1]
            p = torch.softmax(logits.to(torch.float64), -1)
            ids.append(int(torch.multinomial(p, 1, generator=generator)))
        return ids[len(prompt):]


def exact_output_grad(model, prompt, completion):
    """G = d log pi(completion | prompt) / d W_out by autograd (V x h)."""
    ids = torch.tensor([list(prompt) + list(completion)])
    model.zero_grad()
    W = model.lm_head.weight
    W.requires_grad_(True)
    logits = model(ids).logits[0]
    logp = torch.log_softmax(logits, -1)
    Lp = len(prompt)
    tgt = ids[0, Lp:]
    lp = logp[Lp - 1 : -1].gather(1, tgt[:, None]).sum()
    (g,) = torch.autograd.grad(lp, W)
    return g.detach()

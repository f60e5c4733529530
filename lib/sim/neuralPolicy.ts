/**
 * A small neural policy as a stand-in LLM for the paper's diagnostic (PAPER.md §7; issue 7;
 * notebook 08), built with @tensorflow/tfjs (pure-JS CPU backend).
 *
 * Prompts are verifiable problems: x = (a, b) with a, b ∈ {0, …, m−1}, the correct answer
 * y*(x) = (a + b) mod m, and the verifier r(x, y) = 1[y = y*(x)]. The policy is a one-hidden-layer
 * network: features one-hot(a) ⊕ one-hot(b) → h(x) = tanh(W₁ᵀφ(x) + b₁) ∈ R^H → logits
 * z = W₂ᵀh(x) + b₂ ∈ R^m → π(·|x) = softmax(z). It "generates" an answer by sampling y ~ π(·|x).
 *
 * The paper uses partial gradients (last layer or final hidden state, PAPER.md §7 [P]); our
 * diagnostic uses, by our choice [D], the scores of the last layer θ_L = (W₂, b₂), flattened as
 * W₂ row-major (H × m) then b₂ — d = (H + 1)·m. With ĥ = [h; 1] (a softmax layer's closed form):
 *
 *   s(x, y) = ∇_{θ_L} log π(y|x) = ĥ(x) ⊗ (e_y − π(·|x)),   ∇_{θ_L} p(x) = p(x)·ĥ(x) ⊗ (e_{y*} −
 *   π(·|x))   [D]
 *
 * (the second from ∇p = E[r s] = π_{y*} s(x, y*)). Both are checked against tfjs autodiff and
 * central finite differences in tests/neuralPolicy.test.ts. The network runs in float32 (tfjs);
 * everything derived from its outputs is float64.
 *
 * All randomness (initial weights, sampling, projections) comes from a seeded Rng.
 *
 * The code is in ./neural/ (task, policy, samples, and network: the same model in float64 with
 * the score of all parameters); this file is their public surface.
 */
export * from "./neural/task";
export * from "./neural/policy";
export * from "./neural/samples";
export * from "./neural/network";
export * from "./neural/sampledTraining";

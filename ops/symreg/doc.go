// Package symreg is ngs's symbolic regression: it turns sampled functions
// (a learned transfer function ψ*(u), an update function φ*(u, a), …) back
// into formulas written in .ngs expression syntax, such as
// "2.0*tanh(u) - u" or "tanh(u/4.0)".
//
// Search takes samples (one or more named variables and a target), an
// operator set (default + - * / tanh exp sin cos; callers may add their own
// unary or binary Go functions with NewUnary and NewBinary), a maximum size,
// a seed, a budget (formulas scored, or wall time) and a parsimony, and returns a Pareto front of
// formulas by complexity and loss, like PySR's hall of fame, with a best
// formula chosen by PySR's rule: score = -Δlog(loss)/Δcomplexity between
// consecutive members of the front, and the highest score wins among the
// members whose loss is within 1.5× of the lowest. Complexity is the number
// of nodes of the expression tree (constants, variables and operators count
// one each). Losses below 1e-18 of the targets' variance count as exact, so
// that rounding noise does not make a longer formula look better.
//
// PySR's rule suits white noise. Functions learned by a network carry
// smooth, systematic errors that longer formulas can fit, so the rule then
// picks them; Options.AcceptR2 (0.9999 for errors of about 1 %) lets every
// formula at least that accurate compete by score, which brings back the
// intended formula (see TestSystematicErrorWithAcceptR2). Each Candidate
// also carries its R².
//
// A fixed R² cut can still let a real term drop: a learned -u + 2·tanh(u)
// whose error is a few % comes back as -1.9·u. When the caller knows how
// accurate the samples are (a learned function's own mean squared error
// against the true one) it passes that as Options.Tolerance, and the
// expected forms as Options.Prefer (the true function, constants written as
// the true values). Each form's constants are then fitted to the samples,
// and the best formula is the simplest fitted form within the tolerance,
// else the simplest front member within it, else PySR's rule;
// Result.Selected says which (see TestToleranceSelectsExpectedForm).
//
// # Approach
//
// Stage 1 is sparse regression over a library of terms: per variable x,
// x, x·x, x·x·x, 1/x, tanh(x), sin(x), cos(x), exp(±x), tanh(x/w) for
// w ∈ {0.5, 2, 3, 4, 5, 6, 8}, sin(k·x) and cos(k·x) for k ∈ {0.5, 2, 3},
// exp(k·x) for eight rates, exp(-x·x), x·f(x), and for two or more
// variables the products of the simple terms of different variables (only
// terms the operator set can express). Best subsets are searched
// exhaustively up to three terms and greedily up to five, on the normal
// equations of unit-norm columns (a Cholesky solve per subset, no pass over
// the samples), keeping the two least-residual subsets per complexity. Every
// kept subset becomes a formula c0·t0 + c1·t1 + …; when a term has an inner
// constant (the w of tanh(x/w)) all constants are refined by BFGS. Rational
// functions P/(1+Q) with small P and Q are fitted the same way through the
// linearisation P - y·Q = y and refined by BFGS on the true loss. This stage
// is exact for functions linear in their constants, such as -c·u + s·tanh(u),
// and, after refinement, for tanh(u/w) with any w.
//
// Stage 2 is genetic programming, run unless stage 1 already fits exactly:
// four islands of 80 formulas (two seeded with stage 1's front, two with
// random trees only, so that good approximations do not crowd out new
// shapes such as tanh(u/a)), regularised evolution (tournaments of
// six, the child replaces the oldest member), crossover, subtree, operator,
// leaf and constant mutations, insertion, hoisting and simplification.
// Candidates are ranked after Keijzer's linear scaling (the best a + b·f by
// least squares), so evolution searches shapes while least squares supplies
// offset and scale; each generation, the fittest not-yet-refined member of
// each island gets BFGS on its constants (one random restart), and every
// fifth generation the islands receive members of the hall of fame. It stops
// after Options.Generations (40), at the budget, three generations after a
// formula first fits exactly (to give a simpler exact one a chance), or when
// no complexity's best loss improved by 1 % for ten generations. Data with
// more than Options.MaxSamples (1000) samples are searched on a seeded
// random subset; reported losses are always over all samples. Both
// stages feed one hall of fame. Constants are then snapped to the shortest
// decimal that leaves the loss essentially unchanged (so exact fits print
// as 4.0, not 3.99999987) and formulas are simplified (constant folding,
// trivial identities, like terms, ratio normalisation).
//
// Everything runs on one goroutine with one seeded PCG generator, so a seed
// gives one result. Options.MaxEvaluations counts the budget in formulas
// scored, so that the result is the same on any machine under any load;
// only a wall-time budget (Options.Budget) that cuts the search short
// (reported by Result.TimedOut) makes the outcome depend on the machine's
// speed.
//
// # Evaluator: why not gorgonia graphs
//
// Candidates compile to postfix programs run over float64 columns with
// reused stack buffers; constant fitting uses forward-mode derivatives over
// the same programs (one tangent column per constant) and gonum's BFGS. The
// issue allowed gorgonia graphs for candidates and their gradients; the
// benchmarks in bench_test.go measured both on a typical candidate,
// -1.1·u + 1.9·tanh(u/4.2), and its mean squared error on 500 samples
// (go test -run X -bench 'Gorgonia|Evaluator' -benchtime 300x -benchmem
// ./ops/symreg/, 2 cores shared with other builds, load about 9):
//
//	gorgonia, new graph + TapeMachine + RunAll, loss only   170 µs  1235 allocs
//	gorgonia, the same with the gradient graph (Grad)        450 µs  3832 allocs
//	gorgonia, one compiled machine re-run (loss + gradient)   84 µs   317 allocs
//	evaluator, compile + run, loss only                       4.2 µs     5 allocs
//	evaluator, loss + forward-mode gradient (3 constants)      11 µs     0 allocs
//
// A search scores tens of thousands of new candidates, each evaluated a few
// times, so the per-candidate graph construction (40× the evaluator's whole
// cost) dominates; even re-running a compiled graph, the best case for BFGS
// on one candidate, is 7.6× slower than the forward-mode evaluator. The
// evaluator was chosen for both jobs; the package does not import gorgonia
// (only its benchmark does).
package symreg

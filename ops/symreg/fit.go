package symreg

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/optimize"
)

// dataset is the search's view of the samples: one column per variable, the
// targets, and the variance that normalises every loss.
type dataset struct {
	cols [][]float64
	y    []float64
	varY float64 // variance of y; losses are MSE/varY (1 = predicting the mean)
	ev   *evaluator
	out  []float64
}

func newDataset(cols [][]float64, y []float64) *dataset {
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	ss := 0.0
	for _, v := range y {
		ss += (v - mean) * (v - mean)
	}
	return &dataset{cols: cols, y: y, varY: ss / float64(len(y)),
		ev: newEvaluator(len(y)), out: make([]float64, len(y))}
}

// loss is the normalised mean squared error of a program, +Inf when the
// program yields a non-finite value anywhere.
func (d *dataset) loss(p program, consts []float64) float64 {
	d.ev.runWith(p, consts, d.cols, d.out)
	return d.residualLoss(d.out)
}

// residualLoss is the normalised MSE of predictions pred.
func (d *dataset) residualLoss(pred []float64) float64 {
	ss := 0.0
	for i, v := range pred {
		r := v - d.y[i]
		ss += r * r
	}
	if !finite(ss) {
		return math.Inf(1)
	}
	return ss / float64(len(pred)) / d.varY
}

// treeLoss compiles and scores a tree.
func (d *dataset) treeLoss(root *Node) float64 { return d.loss(compile(root), nil) }

// fitConstants refines the constants of root in place by BFGS on the
// normalised MSE, with forward-mode gradients, starting from the current
// values and from `restarts` randomly perturbed copies. It returns the loss
// of the constants it keeps (never worse than the starting loss).
func (d *dataset) fitConstants(root *Node, restarts int, rng *rand.Rand) float64 {
	nodes := root.constants(nil)
	p := compile(root)
	all := make([]float64, len(nodes))
	var free []int
	for i, c := range nodes {
		all[i] = c.Value
		if !c.fixed {
			free = append(free, i)
		}
	}
	bestLoss := d.loss(p, all)
	if len(free) == 0 {
		return bestLoss
	}
	start := make([]float64, len(free))
	for i, j := range free {
		start[i] = all[j]
	}
	best := start
	fn := &constantProblem{d: d, p: p, all: all, free: free, grad: newGradEvaluator(len(d.y), len(nodes))}
	for r := 0; r <= restarts; r++ {
		x0 := append([]float64(nil), start...)
		if r > 0 {
			for i := range x0 {
				x0[i] *= 1 + 0.5*rng.NormFloat64()
				x0[i] += 0.1 * rng.NormFloat64()
			}
		}
		x, l := fn.minimize(x0)
		if l < bestLoss {
			best, bestLoss = x, l
		}
	}
	for i, j := range free {
		nodes[j].Value = best[i]
	}
	return bestLoss
}

// constantProblem is the loss of a program as a function of its free
// constants, the others held at their values in all.
type constantProblem struct {
	d    *dataset
	p    program
	all  []float64
	free []int
	grad *gradEvaluator
}

// expand writes the free constants x into the full constant vector.
func (c *constantProblem) expand(x []float64) []float64 {
	for i, j := range c.free {
		c.all[j] = x[i]
	}
	return c.all
}

func (c *constantProblem) loss(x []float64) float64 { return c.d.loss(c.p, c.expand(x)) }

// minimize runs BFGS from x0 and returns the best point seen and its loss.
func (c *constantProblem) minimize(x0 []float64) ([]float64, float64) {
	d := c.d
	n := float64(len(d.y))
	problem := optimize.Problem{
		Func: func(x []float64) float64 {
			l := c.loss(x)
			if !finite(l) {
				return math.MaxFloat64
			}
			return l
		},
		Grad: func(g, x []float64) {
			top := c.grad.run(c.p, c.expand(x), d.cols)
			for i, j := range c.free {
				g[i] = 0
				if !top.deps[j] {
					continue
				}
				s := 0.0
				for k, v := range top.val {
					s += (v - d.y[k]) * top.tan[j][k]
				}
				g[i] = 2 * s / n / d.varY
				if !finite(g[i]) {
					g[i] = 0
				}
			}
		},
	}
	settings := &optimize.Settings{
		MajorIterations:   60,
		GradientThreshold: 1e-18,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-24, Relative: 1e-10, Iterations: 8},
	}
	res, _ := optimize.Minimize(problem, x0, settings, &optimize.BFGS{})
	l0 := c.loss(x0)
	if res == nil || res.X == nil {
		return x0, l0
	}
	if l := c.loss(res.X); l < l0 {
		return res.X, l
	}
	return x0, l0
}

// snapConstants rounds each constant to the shortest decimal (integer, then
// one, two, three decimals) that leaves the loss essentially unchanged, so
// that exact formulas print as tanh(u/4.0) rather than tanh(u/3.99999987).
// It returns the loss after snapping.
func (d *dataset) snapConstants(root *Node, loss float64) float64 {
	for _, c := range root.constants(nil) {
		if c.fixed {
			continue
		}
		orig := c.Value
		for digits := 0; digits <= 3; digits++ {
			scale := math.Pow(10, float64(digits))
			r := math.Round(orig*scale) / scale
			if r == orig {
				break
			}
			if math.Abs(r-orig) > 1e-3*math.Max(1, math.Abs(orig)) {
				continue
			}
			c.Value = r
			if l := d.treeLoss(root); l <= loss*1.001+1e-13 {
				loss = math.Min(loss, l)
				break
			}
			c.Value = orig
		}
	}
	return loss
}

// tidy simplifies a tree, snaps its constants to short decimals where the
// loss allows, and simplifies again (snapping can create 1·x or x + 0). It
// returns the new tree and its loss.
func (d *dataset) tidy(root *Node) (*Node, float64) {
	root = simplifyNode(root)
	d.snapConstants(root, d.treeLoss(root))
	root = simplifyNode(root)
	return root, d.treeLoss(root)
}

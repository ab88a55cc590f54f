package symreg

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// formulaCase is a target formula and the domain its samples come from.
type formulaCase struct {
	name   string
	vars   []string
	target string
	lo, hi []float64 // per-variable sampling range
}

func case1(target string) formulaCase {
	return formulaCase{name: target, vars: []string{"u"}, target: target, lo: []float64{-5}, hi: []float64{5}}
}

func case2(target string) formulaCase {
	return formulaCase{name: target, vars: []string{"u", "a"}, target: target,
		lo: []float64{-5, 0.5}, hi: []float64{5, 3}}
}

// samples evaluates the target on a regular grid (400 points in 1-D, 20×20
// in 2-D) over [lo, hi], optionally adding Gaussian noise of relative size
// noise times the targets' standard deviation.
func (c formulaCase) samples(t testing.TB, lo, hi []float64, noise float64, seed uint64) Data {
	t.Helper()
	target, err := Parse(c.target, c.vars)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float64
	if len(c.vars) == 1 {
		for i := 0; i < 400; i++ {
			rows = append(rows, []float64{lo[0] + (hi[0]-lo[0])*float64(i)/399})
		}
	} else {
		for i := 0; i < 20; i++ {
			for j := 0; j < 20; j++ {
				rows = append(rows, []float64{lo[0] + (hi[0]-lo[0])*float64(i)/19, lo[1] + (hi[1]-lo[1])*float64(j)/19})
			}
		}
	}
	y, err := target.Eval(rows)
	if err != nil {
		t.Fatal(err)
	}
	if noise > 0 {
		sd := stddev(y)
		rng := rand.New(rand.NewPCG(seed, 7))
		for i := range y {
			y[i] += noise * sd * rng.NormFloat64()
		}
	}
	return Data{Names: c.vars, X: rows, Y: y}
}

func stddev(y []float64) float64 {
	m := 0.0
	for _, v := range y {
		m += v
	}
	m /= float64(len(y))
	s := 0.0
	for _, v := range y {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(y)))
}

// outcome is what a recovery attempt found.
type outcome struct {
	best     *Expr
	sameForm bool
	heldR2   float64
	elapsed  time.Duration
}

// recoverFormula searches samples of c and compares the selected formula
// with the target: same canonical form with constants within tol, and R² on
// a held-out range 20 % wider than the training range.
func recoverFormula(t testing.TB, c formulaCase, noise, tol float64, opts Options) outcome {
	t.Helper()
	data := c.samples(t, c.lo, c.hi, noise, 1)
	start := time.Now()
	res, err := Search(context.Background(), data, opts)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	target, _ := Parse(c.target, c.vars)
	out := outcome{best: res.Best.Expr, elapsed: time.Since(start)}
	out.sameForm = SameForm(Simplify(target), res.Best.Expr, tol)
	lo, hi := make([]float64, len(c.lo)), make([]float64, len(c.hi))
	for i := range lo {
		w := 0.1 * (c.hi[i] - c.lo[i])
		lo[i], hi[i] = c.lo[i]-w, c.hi[i]+w
		if c.lo[i] > 0 { // keep positive ranges positive
			lo[i] = c.lo[i] * 0.9
		}
	}
	held := c.samples(t, lo, hi, 0, 0)
	pred, err := res.Best.Expr.Eval(held.X)
	if err != nil {
		t.Fatal(err)
	}
	out.heldR2 = r2(held.Y, pred)
	return out
}

func r2(y, pred []float64) float64 {
	m := 0.0
	for _, v := range y {
		m += v
	}
	m /= float64(len(y))
	var ssr, sst float64
	for i := range y {
		ssr += (y[i] - pred[i]) * (y[i] - pred[i])
		sst += (y[i] - m) * (y[i] - m)
	}
	return 1 - ssr/sst
}

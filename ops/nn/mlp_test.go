package nn

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/ops/internal/gradcheck"
)

// mlpLoss is Σ c_r·y_r² over the outputs, with fixed random c, so that the
// output gradient is non-trivial.
func mlpLoss(m *MLP, w *Work, x []float32, rows int, c []float32) (float64, []float32) {
	y := m.Forward(w, x, rows)
	var s float64
	dy := make([]float32, len(y))
	for k, v := range y {
		s += float64(c[k]) * float64(v) * float64(v)
		dy[k] = 2 * c[k] * v
	}
	return s, dy
}

func randSlice(n int, scale float64, rng *rand.Rand) []float32 {
	x := make([]float32, n)
	for k := range x {
		x[k] = float32(scale * rng.NormFloat64())
	}
	return x
}

func TestMLPGradientsMatchFiniteDifferences(t *testing.T) {
	cases := []struct {
		name string
		spec MLPSpec
	}{
		{"relu-small-in", MLPSpec{In: 3, Hidden: 16, Out: 1, Layers: 3}},
		{"relu-wide-in", MLPSpec{In: 7, Hidden: 12, Out: 2, Layers: 3}},
		{"tanh", MLPSpec{In: 2, Hidden: 10, Out: 3, Layers: 4, Activation: "tanh"}},
		{"sine", MLPSpec{In: 3, Hidden: 8, Out: 1, Layers: 3, Activation: "sin", Omega0: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			m, err := NewPaperMLP(tc.spec, rng)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.Params { // make later layers non-trivial
				m.Params[k] += float32(0.2 * rng.NormFloat64())
			}
			rows := 37
			x := randSlice(rows*tc.spec.In, 1, rng)
			c := randSlice(rows*tc.spec.Out, 1, rng)
			w := m.NewWork(rows)
			_, dy := mlpLoss(m, w, x, rows, c)
			dx := make([]float32, len(x))
			m.ZeroGrads()
			m.Backward(w, dy, dx)
			grads := append([]float32(nil), m.Grads...)
			loss := func() float64 { l, _ := mlpLoss(m, w, x, rows, c); return l }
			// ReLU probes may straddle a kink: require 90% of them exact,
			// smooth activations all of them.
			q := 0.9
			if tc.spec.Activation != "" {
				q = 1
			}
			errs := gradcheck.Check(loss, m.Params, grads, 200, 1e-3, 1e-2, rng)
			if e := gradcheck.Quantile(errs, q); e > 2e-2 {
				t.Errorf("parameter gradient error quantile %.2f = %.3g", q, e)
			}
			errs = gradcheck.Check(loss, x, dx, 60, 1e-3, 1e-2, rng)
			if e := gradcheck.Quantile(errs, q); e > 2e-2 {
				t.Errorf("input gradient error quantile %.2f = %.3g", q, e)
			}
		})
	}
}

func TestPaperInitRanges(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	m, err := NewPaperMLP(MLPSpec{In: 3, Hidden: 64, Out: 1, Layers: 3}, rng)
	if err != nil {
		t.Fatal(err)
	}
	bound := float32(1 / math.Sqrt(3))
	for _, v := range append(append([]float32{}, m.Layers[0].W...), m.Layers[0].B...) {
		if v < -bound || v > bound {
			t.Fatalf("first-layer value %g outside ±%g", v, bound)
		}
	}
	var ss float64
	for _, v := range m.Layers[1].W {
		ss += float64(v) * float64(v)
	}
	std := math.Sqrt(ss / float64(len(m.Layers[1].W)))
	if math.Abs(std-0.1) > 0.01 {
		t.Errorf("hidden weight std %.4f, expected 0.1", std)
	}
	for _, v := range m.Layers[2].B {
		if v != 0 {
			t.Fatalf("later-layer bias %g, expected 0", v)
		}
	}
}

func TestSpecValidation(t *testing.T) {
	if _, err := NewMLP(MLPSpec{In: 0, Out: 1, Layers: 2, Hidden: 3}); err == nil {
		t.Error("In=0 accepted")
	}
	if _, err := NewMLP(MLPSpec{In: 1, Out: 1, Layers: 2, Hidden: 3, Activation: "gelu"}); err == nil {
		t.Error("unknown activation accepted")
	}
}

func TestAdamFitsRegression(t *testing.T) {
	// Fit y = sin(2x) on [-2, 2] with a small ReLU MLP: Adam must drive the
	// mean squared error far below the target's variance.
	rng := rand.New(rand.NewSource(3))
	m, _ := NewPaperMLP(MLPSpec{In: 1, Hidden: 32, Out: 1, Layers: 3}, rng)
	opt := NewAdam()
	if _, err := opt.Add("mlp", m.Params, m.Grads, 3e-3); err != nil {
		t.Fatal(err)
	}
	rows := 128
	x := make([]float32, rows)
	target := make([]float32, rows)
	for r := range x {
		x[r] = float32(-2 + 4*float64(r)/float64(rows-1))
		target[r] = float32(math.Sin(2 * float64(x[r])))
	}
	w := m.NewWork(rows)
	dy := make([]float32, rows)
	var mse float64
	for step := 0; step < 3000; step++ {
		y := m.Forward(w, x, rows)
		mse = 0
		for r := range y {
			d := y[r] - target[r]
			mse += float64(d * d)
			dy[r] = 2 * d / float32(rows)
		}
		mse /= float64(rows)
		m.ZeroGrads()
		m.Backward(w, dy, nil)
		opt.Step()
	}
	if mse > 5e-3 {
		t.Errorf("MSE after training %.4g, expected < 5e-3 (variance ≈ 0.5)", mse)
	}
	if _, err := opt.Add("bad", m.Params, m.Grads, 0); err == nil {
		t.Error("lr 0 accepted")
	}
}

func TestSirenFitsImage(t *testing.T) {
	// A SIREN must represent a 2-D pattern with fine structure well.
	rng := rand.New(rand.NewSource(4))
	m, err := NewSiren(SirenSpec{In: 2, Hidden: 32, HiddenLayers: 3, Out: 1, Omega0: 30}, rng)
	if err != nil {
		t.Fatal(err)
	}
	opt := NewAdam()
	opt.Add("siren", m.Params, m.Grads, 1e-3)
	side := 16
	rows := side * side
	x := make([]float32, 2*rows)
	target := make([]float32, rows)
	for r := 0; r < rows; r++ {
		px, py := float64(r%side)/float64(side-1), float64(r/side)/float64(side-1)
		x[2*r], x[2*r+1] = float32(px), float32(py)
		target[r] = float32(math.Sin(9*px) * math.Cos(7*py))
	}
	w := m.NewWork(rows)
	dy := make([]float32, rows)
	var mse float64
	for step := 0; step < 400; step++ {
		y := m.Forward(w, x, rows)
		mse = 0
		for r := range y {
			d := y[r] - target[r]
			mse += float64(d * d)
			dy[r] = 2 * d / float32(rows)
		}
		mse /= float64(rows)
		m.ZeroGrads()
		m.Backward(w, dy, nil)
		opt.Step()
	}
	if mse > 1e-3 {
		t.Errorf("SIREN MSE %.4g, expected < 1e-3", mse)
	}
}

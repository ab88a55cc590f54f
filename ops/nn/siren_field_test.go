package nn

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// movingField is a pattern drifting across the unit square over time: the
// kind of stimulus Ω*(x, y, t) must learn (issue 5).
func movingField(x, y, t float64) float64 {
	return 1 + 0.5*math.Sin(2*math.Pi*(x-0.5*t))*math.Cos(math.Pi*y)
}

// fieldSamples lays a side×side grid at each of the given times.
func fieldSamples(side int, times []float64) (in, target []float32) {
	for _, t := range times {
		for r := 0; r < side*side; r++ {
			px, py := float64(r%side)/float64(side-1), float64(r/side)/float64(side-1)
			in = append(in, float32(px), float32(py), float32(t))
			target = append(target, float32(movingField(px, py, t)))
		}
	}
	return in, target
}

// TestSirenFitsMovingField trains a SIREN on a drifting field at 12 times
// and checks R² ≥ 0.9 at times between them that it never saw.
func TestSirenFitsMovingField(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	m, err := NewSiren(SirenSpec{In: 3, Hidden: 64, HiddenLayers: 3, Out: 1, Omega0: 30}, rng)
	if err != nil {
		t.Fatal(err)
	}
	opt := NewAdam()
	opt.Add("siren", m.Params, m.Grads, 1e-4)
	var train, held []float64
	for k := 0; k < 12; k++ {
		train = append(train, float64(k)/11)
		if k < 11 {
			held = append(held, (float64(k)+0.5)/11)
		}
	}
	x, target := fieldSamples(12, train)
	rows := len(target)
	w := m.NewWork(rows)
	dy := make([]float32, rows)
	for step := 0; step < 400; step++ {
		y := m.Forward(w, x, rows)
		for r := range y {
			dy[r] = 2 * (y[r] - target[r]) / float32(rows)
		}
		m.ZeroGrads()
		m.Backward(w, dy, nil)
		opt.Step()
	}
	hx, htarget := fieldSamples(12, held)
	hw := m.NewWork(len(htarget))
	pred := m.Forward(hw, hx, len(htarget))
	r2 := metrics.R2(htarget, pred)
	t.Logf("SIREN on a moving field: held-out R² %.4f", r2)
	if r2 < 0.9 {
		t.Errorf("held-out R² %.4f, expected ≥ 0.9", r2)
	}
}

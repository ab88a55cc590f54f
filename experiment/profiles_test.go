package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/metrics"
)

// TestProfileFeatures checks the "profiles" projection's features: for N2
// (ψ* takes no embedding) the φ* curves alone; for N5 the φ* curve, ψ* as
// a receiver and ψ* as a sender, each block centred per grid point and of
// unit root-mean-square, its rows ψ*(r, a_n, ā) and ψ*(r, ā, a_n); and
// receivers of two embeddings fall apart in the receiver block.
func TestProfileFeatures(t *testing.T) {
	grid := linspace(-5, 5, 21)
	g := len(grid)
	n2, err := gnn.NewModel(gnn.ModelSpec{N: 6, Variant: gnn.N2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	curves := n2.SamplePhi(grid)
	if f, w := profileFeatures(n2, grid, curves, nil, 0); w != g || &f[0] != &curves[0] {
		t.Fatalf("N2: width %d, expected the %d-point curves themselves", w, g)
	}

	n := 8
	m, err := gnn.NewModel(gnn.ModelSpec{N: n, Variant: gnn.N5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]float32, 2*n)
	for i := 0; i < n; i++ { // two embeddings, alternating
		a[2*i], a[2*i+1] = float32(1+2*(i%2)), float32(1-(i%2))
	}
	if err := m.SetEmbeddings(a); err != nil {
		t.Fatal(err)
	}
	f, w := profileFeatures(m, grid, m.SamplePhi(grid), nil, 0)
	if w != 3*g || len(f) != n*w {
		t.Fatalf("N5: width %d (%d values), expected %d", w, len(f), 3*g)
	}
	for b := 0; b < 3; b++ {
		var ss float64
		for k := 0; k < g; k++ {
			var mean float64
			for i := 0; i < n; i++ {
				v := float64(f[i*w+b*g+k])
				mean += v / float64(n)
				ss += v * v
			}
			if math.Abs(mean) > 1e-5 {
				t.Fatalf("block %d, grid point %d: mean %g, expected 0", b, k, mean)
			}
		}
		if rms := math.Sqrt(ss / float64(n*g)); math.Abs(rms-1) > 1e-4 {
			t.Fatalf("block %d: root-mean-square %g, expected 1", b, rms)
		}
	}
	// Row 3's receiver block is ψ*(r, a_3, ā) up to the block's centring and
	// scale: check it through the difference of two neurons' rows.
	ref := metrics.ColumnMedians(a, 2)
	psiOf := func(i int) []float32 {
		ai := make([]float32, 0, 2*g)
		aj := make([]float32, 0, 2*g)
		for range grid {
			ai = append(ai, a[2*i:2*i+2]...)
			aj = append(aj, ref...)
		}
		p, err := m.Psi(grid, ai, aj)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p0, p1 := psiOf(0), psiOf(1)
	ratio := math.NaN()
	for k := 0; k < g; k++ {
		raw := float64(p1[k] - p0[k])
		got := float64(f[1*w+g+k] - f[0*w+g+k])
		if math.Abs(raw) < 1e-3 {
			continue
		}
		if math.IsNaN(ratio) {
			ratio = got / raw
		} else if math.Abs(got/raw-ratio) > 1e-3*math.Abs(ratio) {
			t.Fatalf("grid point %d: receiver block difference %g is not %g × ψ*'s %g", k, got, ratio, raw)
		}
	}
	if math.IsNaN(ratio) || ratio <= 0 {
		t.Fatalf("receiver block does not follow ψ*(r, a_i, ā): scale %g", ratio)
	}
	// Same embedding: identical rows; different: apart.
	dist := func(i, j int) float64 {
		var s float64
		for k := g; k < 2*g; k++ {
			d := float64(f[i*w+k] - f[j*w+k])
			s += d * d
		}
		return math.Sqrt(s)
	}
	if dist(0, 2) > 1e-6 || dist(0, 1) < 0.1 {
		t.Fatalf("receiver profiles: same embedding %g apart, different %g", dist(0, 2), dist(0, 1))
	}
}

// TestProfilesHook runs the clustering hook with projection = "profiles":
// for an N2 model (ψ* takes no embedding) it clusters exactly as the
// curves do; a projection it does not know is an error that lists it.
// min_size = 2 keeps the small clusters of this barely trained 2-epoch run
// apart, so that there is a clustering to compare.
func TestProfilesHook(t *testing.T) {
	var labels [2]string
	for k, proj := range []string{"curves", "profiles"} {
		src := strings.Replace(resumeScript, "cluster(threshold = 0.1, refit = 10)", `cluster(threshold = 0.1, refit = 10, min_size = 2, projection = "`+proj+`")`, 1)
		in, _, err := run(t, fmt.Sprintf(src, 2, filepath.Join(t.TempDir(), "ck"), false))
		if err != nil {
			t.Fatal(err)
		}
		fit := global(t, in, "fit").(*Fit)
		if fit.Clusters < 1 {
			t.Fatalf("%s: no clustering step ran", proj)
		}
		labels[k] = fmt.Sprint(fit.Labels)
	}
	if labels[0] != labels[1] {
		t.Errorf("N2: profiles %s, curves %s: expected the same clusters", labels[1], labels[0])
	}
	src := strings.Replace(resumeScript, "cluster(threshold = 0.1, refit = 10)", `cluster(projection = "psi")`, 1)
	_, _, err := run(t, fmt.Sprintf(src, 2, filepath.Join(t.TempDir(), "ck"), false))
	if err == nil || !strings.Contains(err.Error(), `"profiles"`) {
		t.Fatalf("projection \"psi\": error %v, expected one naming the projections", err)
	}
}

// TestProfileFeaturesFitBlock: the receivers' fit profiles come as a fourth
// block of the grid's width, centred, of root-mean-square fitBlockWeight,
// column c holding profile entry c·k/g.
func TestProfileFeaturesFitBlock(t *testing.T) {
	grid := linspace(-5, 5, 20)
	g, n, k := len(grid), 6, 2
	m, err := gnn.NewModel(gnn.ModelSpec{N: n, Variant: gnn.N5}, 3)
	if err != nil {
		t.Fatal(err)
	}
	fits := make([]float32, n*k)
	for i := 0; i < n; i++ { // receivers 0–2 fit group 0, 3–5 group 1
		fits[i*k+1-i/3] = float32(1 + i)
	}
	f, w := profileFeatures(m, grid, m.SamplePhi(grid), fits, k)
	if w != 4*g {
		t.Fatalf("width %d, expected %d", w, 4*g)
	}
	var ss float64
	for i := 0; i < n; i++ {
		for c := 0; c < g; c++ {
			v := float64(f[i*w+3*g+c])
			ss += v * v
			// columns of one profile entry are equal
			if c > 0 && c*k/g == (c-1)*k/g && f[i*w+3*g+c] != f[i*w+3*g+c-1] {
				t.Fatalf("receiver %d: fit block columns %d and %d differ", i, c-1, c)
			}
		}
	}
	if rms := math.Sqrt(ss / float64(n*g)); math.Abs(rms-fitBlockWeight) > 1e-4 {
		t.Errorf("fit block root-mean-square %g, expected %g", rms, fitBlockWeight)
	}
	// receiver 5 is worse than receiver 3 under group 0 (6 against 4)
	if !(f[5*w+3*g] > f[3*w+3*g]) {
		t.Errorf("fit block: receiver 5's group-0 column %g, receiver 3's %g; expected the first larger", f[5*w+3*g], f[3*w+3*g])
	}
}

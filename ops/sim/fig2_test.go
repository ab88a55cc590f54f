package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/ngs-lab/ngs/ops/connect"
	"github.com/ngs-lab/ngs/ops/eqn"
)

// fig2Network is Fig 2's network: Cauchy wiring drawn as the reference
// draws it (ops/connect checks its statistics against the reference's W)
// and the reference's parameter table ([g, s, c] per type, as in
// shared/reference/fig2_params.npy, 4 contiguous blocks of 250 neurons).
func fig2Network(t testing.TB) *Network {
	w, err := connect.Cauchy(1000, 0, 0, rand.New(rand.NewPCG(42, 42)))
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float32{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}}
	params, types := typed(1000, []string{"g", "s", "c"}, rows)
	return &Network{N: 1000, Types: types, Params: params, Rule: eqn.N2(), W: w, U0Std: 5}
}

func std(x []float32) float64 {
	var s, s2 float64
	for _, v := range x {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	n := float64(len(x))
	return math.Sqrt(s2/n - (s/n)*(s/n))
}

// TestFig2ActivityScale simulates Fig 2 for 10,000 frames (the full
// 100,000 are measured by BenchmarkFig2Full) and checks std(u) ≈ 7.3 and
// std(du/dt) ≈ 4.0 (SPEC §1.5) within 10 %.
func TestFig2ActivityScale(t *testing.T) {
	frames := 10000
	if s := os.Getenv("NGS_FIG2_FRAMES"); s != "" {
		frames, _ = strconv.Atoi(s)
	}
	res, err := Run(context.Background(), fig2Network(t), Options{Dt: 0.01, Frames: frames, Burnin: 1000, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	su, sdu := std(res.U), std(res.DU)
	t.Logf("Fig 2, %d frames: std(u) = %.3f, std(du/dt) = %.3f", frames, su, sdu)
	if math.Abs(su-7.3) > 0.73 {
		t.Errorf("std(u) = %.3f, want 7.3 ± 10%%", su)
	}
	if math.Abs(sdu-4.0) > 0.4 {
		t.Errorf("std(du/dt) = %.3f, want 4.0 ± 10%%", sdu)
	}
}

// benchNetwork is an N2 network with Cauchy weights for benchmarks.
func benchNetwork(b *testing.B, n int) *Network {
	w, err := connect.Cauchy(n, 0, 0, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	params, types := typed(n, []string{"g", "s", "c"}, [][]float32{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}})
	return &Network{N: n, Types: types, Params: params, Rule: eqn.N2(), W: w, U0Std: 5, Noise: 1}
}

// BenchmarkSteps reports simulated frames per second for several N (one
// benchmark iteration = one frame, u and du recorded in memory).
func BenchmarkSteps(b *testing.B) {
	for _, n := range []int{1000, 2048, 8000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			net := benchNetwork(b, n)
			opt := Options{Dt: 0.01, Frames: b.N, Seed: 1}
			b.ResetTimer()
			if _, err := Run(context.Background(), net, opt); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			b.ReportMetric(float64(4*n*n)/1e9*float64(b.N)/b.Elapsed().Seconds(), "GB/s(W)")
		})
	}
}

// BenchmarkUnroll measures the gorgonia TapeMachine's fixed cost per RunAll
// against the number of Euler steps unrolled into one graph (N = 256, where
// a step's arithmetic is small).
func BenchmarkUnroll(b *testing.B) {
	for _, unroll := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprintf("steps=%d", unroll), func(b *testing.B) {
			net := benchNetwork(b, 256)
			b.ResetTimer()
			if _, err := Run(context.Background(), net, Options{Dt: 0.01, Frames: b.N, Unroll: unroll, Record: RecordU}); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkBandwidthFloor reads an 8000×8000 float32 matrix once per
// iteration with the same row blocks and dot kernel as the coupling op but
// nothing else: the memory-bandwidth floor of one N = 8000 step on this
// machine at this moment (compare with BenchmarkSteps/N=8000).
func BenchmarkBandwidthFloor(b *testing.B) {
	n := 8000
	w := make([]float32, n*n)
	for k := range w {
		w[k] = float32(k%7) * 1e-3
	}
	term := &eqn.BoundTerm{Senders: [][]float32{make([]float32, n)}, Coupled: make([]float32, n)}
	c := newCoupler(n, []*eqn.BoundTerm{term}, nil)
	defer c.close()
	b.ResetTimer()
	for b.Loop() {
		if err := c.couple(w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*n*n)/1e9*float64(b.N)/b.Elapsed().Seconds(), "GB/s(W)")
}

// BenchmarkStreamToDisk8000 runs N = 8000 recording u and du to files only:
// its peak memory (measure with /usr/bin/time -v) is W, the generator's
// scratch and the block buffers, independent of the number of frames.
func BenchmarkStreamToDisk8000(b *testing.B) {
	net := benchNetwork(b, 8000)
	opt := Options{Dt: 0.01, Frames: b.N, Seed: 1, OutDir: b.TempDir(), FilesOnly: true}
	b.ResetTimer()
	res, err := Run(context.Background(), net, opt)
	if err != nil {
		b.Fatal(err)
	}
	if res.U != nil || res.Frames != b.N {
		b.Fatalf("files-only run kept %d values in memory, recorded %d frames", len(res.U), res.Frames)
	}
}

package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Two tight blobs joined by a thin bridge of stray points: single linkage
// chains them into one cluster, core linkage keeps two and gives the strays
// to the nearer blob; with minPoints 0 it is single linkage.
func TestCoreLinkageResistsChaining(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var points [][]float64
	for b := 0; b < 2; b++ {
		for k := 0; k < 30; k++ {
			points = append(points, []float64{float64(b) + 0.01*rng.NormFloat64(), 0.01 * rng.NormFloat64()})
		}
	}
	for x := 0.04; x < 0.97; x += 0.04 { // a chain of single points, 0.04 apart
		points = append(points, []float64{x, 0})
	}
	_, k, err := SingleLinkage(points, 0.05)
	if err != nil || k != 1 {
		t.Fatalf("single linkage: %d clusters (%v), want the chain to join them into 1", k, err)
	}
	labels, k, err := CoreLinkage(points, 0.05, 5)
	if err != nil || k != 2 {
		t.Fatalf("core linkage: %d clusters (%v), want 2", k, err)
	}
	for i, p := range points {
		want := labels[0]
		if p[0] > 0.5 {
			want = labels[30]
		}
		if labels[i] != want {
			t.Errorf("point %v in cluster %d, want %d (its nearer blob)", p, labels[i], want)
		}
	}
	if _, k0, _ := CoreLinkage(points, 0.05, 0); k0 != 1 {
		t.Errorf("minPoints 0: %d clusters, want single linkage's 1", k0)
	}
	if _, _, err := CoreLinkage(points, math.NaN(), 3); err == nil {
		t.Error("NaN threshold accepted")
	}
}

// The 32 (s, c) update curves φ = s·tanh(u) − c·u of Supp 12, each neuron's
// s and c perturbed by N(0, 0.15²), 31 neurons per type: plain single
// linkage at the script's 0.05 chains neighbours together; core linkage at
// 0.03 with 5 core neighbours separates the 32 types.
func TestStepSeparates32Types(t *testing.T) {
	grid, per := 100, 31
	rng := rand.New(rand.NewPCG(1, 2))
	var curves, emb []float32
	var truth []int
	for c := 1; c <= 4; c++ {
		for s := 1; s <= 8; s++ {
			for k := 0; k < per; k++ {
				ds, dc := 0.15*rng.NormFloat64(), 0.15*rng.NormFloat64()
				for g := 0; g < grid; g++ {
					u := -5 + 10*float64(g)/float64(grid-1)
					curves = append(curves, float32((float64(s)+ds)*math.Tanh(u)-(float64(c)+dc)*u))
				}
				emb = append(emb, 0, 0)
				truth = append(truth, (c-1)*8+s-1)
			}
		}
	}
	plain, err := Step(curves, grid, emb, 2, StepOptions{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	core, err := Step(curves, grid, emb, 2, StepOptions{Threshold: 0.03, MinPoints: 5})
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := Accuracy(plain.Labels, truth)
	ca, _ := Accuracy(core.Labels, truth)
	t.Logf("single linkage 0.05: %d clusters, accuracy %.3f; core linkage 0.03/5: %d clusters, accuracy %.3f", plain.Clusters, pa.Accuracy, core.Clusters, ca.Accuracy)
	if core.Clusters != 32 || ca.Accuracy < 0.98 {
		t.Errorf("core linkage: %d clusters, accuracy %.3f; want 32 and ≥ 0.98", core.Clusters, ca.Accuracy)
	}
	if plain.Clusters == 32 && pa.Accuracy >= ca.Accuracy {
		t.Errorf("single linkage at 0.05 separated the types as well (%d, %.3f): the test no longer shows chaining", plain.Clusters, pa.Accuracy)
	}
}

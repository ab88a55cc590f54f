package experiment

import (
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/vec"
)

// TestSimulateHalfWeightsRoundsTheNetwork checks that weights = "half"
// leaves the network's W (the truth a report compares with) at the rounded
// values it simulated, and that another setting is a clear error naming it.
func TestSimulateHalfWeightsRoundsTheNetwork(t *testing.T) {
	in, _, err := run(t, fig2Net+`data = simulate(net, frames = 50, burnin = 10, weights = "half")`)
	if err != nil {
		t.Fatal(err)
	}
	net := global(t, in, "net").(*Network)
	for k, w := range net.W {
		if vec.Float32FromHalf(vec.HalfFromFloat32(w)) != w {
			t.Fatalf("W[%d] = %g is not a half value", k, w)
		}
	}
	_, _, err = run(t, fig2Net+"w = \"double\"\ndata = simulate(net, frames = 50, weights = w)")
	if err == nil || !strings.Contains(err.Error(), "weights") || !strings.Contains(err.Error(), "half") {
		t.Fatalf("weights = \"double\": expected an error naming weights and its choices, got %v", err)
	}
}

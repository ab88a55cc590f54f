package experiment

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/runtime"
	_ "github.com/ngs-lab/ngs/stdlib"
)

// run compiles and runs a script, returning its interpreter and output.
func run(t *testing.T, src string) (*runtime.Interp, string, error) {
	t.Helper()
	prog, err := runtime.Compile("test.ngs", []byte(src), runtime.CompileOptions{})
	if err != nil {
		return nil, "", err
	}
	var out bytes.Buffer
	in, err := prog.Run(context.Background(), runtime.RunOptions{Stdout: &out, OutDir: t.TempDir()})
	return in, out.String(), err
}

func global(t *testing.T, in *runtime.Interp, name string) runtime.Value {
	t.Helper()
	v, ok := in.Globals().Lookup(name)
	if !ok {
		t.Fatalf("no global %s", name)
	}
	return v
}

const fig2Net = `
seed 7
network net {
    neurons = 40
    type A { c = 1; s = 1; g = 10 }
    type B { c = 1; s = 2; g = 10 }
    type C { c = 2; s = 1; g = 10 }
    type D { c = 2; s = 2; g = 10 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = cauchy()
    u0 = normal(0, 5)
}
`

func TestNetworkDeclaration(t *testing.T) {
	in, _, err := run(t, fig2Net)
	if err != nil {
		t.Fatal(err)
	}
	net := global(t, in, "net").(*Network)
	if net.N != 40 || len(net.Kinds) != 4 || net.Gain != 10 {
		t.Fatalf("N %d, %d types, gain %g", net.N, len(net.Kinds), net.Gain)
	}
	for i, k := range net.Types {
		if k != i/10 {
			t.Fatalf("neuron %d has type %d, expected contiguous blocks of 10", i, k)
		}
	}
	sameRule(t, "N2", net, eqn.N2())
	for i := 0; i < net.N; i++ {
		if net.W[i*net.N+i] != 0 {
			t.Fatalf("W has a non-zero diagonal at %d", i)
		}
	}
	if net.Params["s"][15] != 2 || net.Params["c"][25] != 2 {
		t.Fatalf("per-neuron parameters not expanded from types: s[15]=%g c[25]=%g", net.Params["s"][15], net.Params["c"][25])
	}
}

// TestEquationsMatchPaperRules compiles the paper's N4 and N5 from script
// notation and compares them with the IR's own rules on random states.
func TestEquationsMatchPaperRules(t *testing.T) {
	rules := map[string]struct {
		eq   string
		want *eqn.Expr
	}{
		"N4": {"-a*u + b + s*tanh(u) + g * sum_j W[i,j] * tanh((u[j] - h[j]) / w[j])", eqn.N4()},
		"N5": {"-a*u + b + s*tanh(u) + g * sum_j W[i,j] * (tanh((u[j] - h[j]) / w[i]) - u[j] * log(w[j]) / 50) + e", eqn.N5()},
	}
	for name, r := range rules {
		src := `network net {
    neurons = 24
    type A { a = 1; b = 0; g = 10; s = 1; w = 1; h = 0 }
    type B { a = 1; b = 0; g = 10; s = 2; w = 2; h = 0 }
    type C { a = 2; b = 0; g = 10; s = 1; w = 4; h = 0 }
    type D { a = 2; b = 0; g = 10; s = 2; w = 8; h = 0.5 }
    du/dt = ` + r.eq + `
}`
		in, _, err := run(t, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameRule(t, name, global(t, in, "net").(*Network), r.want)
	}
}

// sameRule compares a network's compiled rule with a reference rule on a
// random state.
func sameRule(t *testing.T, name string, net *Network, ref *eqn.Expr) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	u := make([]float32, net.N)
	e := make([]float32, net.N)
	for i := range u {
		u[i] = float32(5 * rng.NormFloat64())
		e[i] = float32(rng.Float64())
	}
	b := eqn.Binding{N: net.N, Params: net.Params}
	got, err := eqn.Direct(net.Rule, b, net.W, u, e, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	want, err := eqn.Direct(ref, b, net.W, u, e, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Fatalf("%s: neuron %d: script rule gives %g, paper rule %g", name, i, got[i], want[i])
		}
	}
}

// TestSimulateRecordsTheRule checks that simulate records u and the
// noise-free du/dt of the declared rule at the recorded state.
func TestSimulateRecordsTheRule(t *testing.T) {
	in, _, err := run(t, fig2Net+`data = simulate(net, dt = 0.01, frames = 200, burnin = 100)
sd = std(data.u)`)
	if err != nil {
		t.Fatal(err)
	}
	d := global(t, in, "data").(*Dataset)
	n := d.Network.N
	if d.Frames != 200 || len(d.U) != 200*n || len(d.DU) != 200*n {
		t.Fatalf("dataset %d frames, %d u values", d.Frames, len(d.U))
	}
	for _, f := range []int{0, 117, 199} {
		want, err := eqn.Direct(d.Network.Rule, eqn.Binding{N: n, Params: d.Network.Params}, d.Network.W, d.U[f*n:(f+1)*n], nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if got := float64(d.DU[f*n+i]); math.Abs(got-want[i]) > 1e-4*(1+math.Abs(want[i])) {
				t.Fatalf("frame %d neuron %d: recorded du %g, rule gives %g", f, i, got, want[i])
			}
		}
	}
	// Noise-free Euler: the next frame is u + dt·du.
	for i := 0; i < n; i++ {
		next := d.U[i] + 0.01*d.DU[i]
		if math.Abs(float64(d.U[n+i]-next)) > 1e-4*(1+math.Abs(float64(next))) {
			t.Fatalf("neuron %d: frame 1 is %g, Euler from frame 0 gives %g", i, d.U[n+i], next)
		}
	}
	if sd := global(t, in, "sd").(runtime.Number); !(sd > 1) {
		t.Fatalf("std(u) = %g: the network is not active", float64(sd))
	}
}

// TestBadNetworks checks positioned, specific errors for broken networks.
func TestBadNetworks(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"missing parameter", `network n {
    neurons = 10
    type A { c = 1; s = 1 }
    type B { c = 1 }
    du/dt = -c*u + s*tanh(u)
}`, "test.ngs:5:20: parameter s is used in an equation but type B does not define it"},
		{"zero neurons", `network n {
    neurons = 0
    type A { c = 1 }
    du/dt = -c*u
}`, "test.ngs:2:15: neurons must be a whole number in [1, 65536], found 0"},
		{"unknown setting", `network n {
    neurons = 5
    nosie = 1
    type A { c = 1 }
    du/dt = -c*u
}`, `test.ngs:3:5: unknown setting "nosie" in the network (did you mean noise?)`},
		{"W shape", `network n {
    neurons = 5
    type A { c = 1 }
    du/dt = -c*u
    W = zeros(4, 4)
}`, "test.ngs:5:9: W must be 5×5, found a tensor of shape [4 4]"},
		{"bad W index", `network n {
    neurons = 5
    type A { c = 1 }
    du/dt = -c*u + sum_j W[j,i] * u[j]
}`, "test.ngs:4:27: the weight is written W[i,j] (receiver i, sender j)"},
		{"movie too big", `network n {
    neurons = 5
    type A { c = 1 }
    du/dt = -c*u*e
    input = movie("../../shared/reference/fig3_movie.npy", neurons = 1024)
}`, "test.ngs:5:13: the movie drives 1024 input neurons but the network has only 5"},
		{"negative dt", fig2Net + `d = simulate(net, dt = -0.1)`, "dt must be a number > 0, found -0.1"},
		{"train on a network", fig2Net + `model m { psi = mlp(u[j]) }
f = train(m, net)`, "train needs the dataset returned by simulate, found network"},
		{"bad psi inputs", `model m { psi = mlp(u[i]) }`, "psi takes u[j] and any of u[i], a[j], a[i], each once (fastest: (u[j]), (u[j], a[j]), (u[j], a[i], a[j])), found (u[i])"},
	}
	for _, c := range cases {
		_, _, err := run(t, c.src)
		if err == nil {
			t.Errorf("%s: no error, expected %q", c.name, c.want)
			continue
		}
		if msg := lang.Render(err, nil); !strings.Contains(msg, c.want) {
			t.Errorf("%s: error\n%s\nexpected it to contain %q", c.name, msg, c.want)
		}
	}
}

// TestSaveLoadWiring saves a network's W, loads it back as another
// network's wiring, and checks that it is the same matrix.
func TestSaveLoadWiring(t *testing.T) {
	in, _, err := run(t, fig2Net+`p = save("w.npy", net.W)
network copy {
    neurons = 40
    type A { c = 1; s = 1; g = 10 }
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * tanh(u[j])
    W = load(p)
}
missing = 0`)
	if err != nil {
		t.Fatal(lang.Render(err, nil))
	}
	a, b := global(t, in, "net").(*Network), global(t, in, "copy").(*Network)
	for k := range a.W {
		if a.W[k] != b.W[k] {
			t.Fatalf("W[%d]: saved %g, loaded %g", k, a.W[k], b.W[k])
		}
	}
	_, _, err = run(t, `x = load("no/such/file.npy")`)
	if err == nil || !strings.Contains(err.Error(), "test.ngs:1:10") || !strings.Contains(err.Error(), "no/such/file.npy") {
		t.Fatalf("loading a missing file: %v", err)
	}
}

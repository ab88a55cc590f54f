package experiment

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/npy"
)

// omegaModel declares a model whose Ω* reads input-neuron positions from a file.
const omegaModel = `model m {
    psi = mlp(u[j])
    omega = siren(x, y, t, hidden = 8, layers = 1, neurons = %d, positions = %q)
}
`

func TestSirenPositionsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []float32, shape ...int) string {
		p := filepath.Join(dir, name)
		if err := npy.WriteFloat32(p, data, shape...); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.npy", []float32{0, 0, 1, 0, 0, 1, 0.5, 0.25}, 4, 2)
	in, _, err := run(t, fmt.Sprintf(omegaModel, 4, good))
	if err != nil {
		t.Fatal(lang.Render(err, nil))
	}
	decl := global(t, in, "m").(*ModelDecl)
	if decl.OmegaX[3] != 0.5 || decl.OmegaY[3] != 0.25 || decl.OmegaY[2] != 1 {
		t.Fatalf("positions read as x %v y %v", decl.OmegaX, decl.OmegaY)
	}
	wrong := write("wrong.npy", make([]float32, 6), 3, 2)
	outside := write("outside.npy", []float32{0, 0, 1, 0, 0, 1.5, 0, 0}, 4, 2)
	for _, c := range []struct{ file, want string }{
		{wrong, "wrong.npy: expected positions of shape (4, 2), (x, y) for each of the 4 input neurons, found shape [3 2]"},
		{outside, "outside.npy: row 2, column 1 (y): expected a position in [0, 1], found 1.5"},
		{filepath.Join(dir, "missing.npy"), "missing.npy"},
	} {
		_, _, err := run(t, fmt.Sprintf(omegaModel, 4, c.file))
		if err == nil {
			t.Errorf("%s: no error, expected %q", c.file, c.want)
			continue
		}
		if msg := lang.Render(err, nil); !strings.Contains(msg, "test.ngs:3:13: ") || !strings.Contains(msg, c.want) {
			t.Errorf("error\n%s\nexpected test.ngs:3:13 and %q", msg, c.want)
		}
	}
}

// TestSirenNeuronsBeyondN declares more Ω* input neurons than the network has.
func TestSirenNeuronsBeyondN(t *testing.T) {
	src := fig2Net + `data = simulate(net, frames = 100)
model m {
    psi = mlp(u[j])
    omega = siren(x, y, t, hidden = 8, layers = 1, neurons = 64)
}
fit = train(m, data) { steps = 2; batch = 2 }
`
	_, _, err := run(t, src)
	if err == nil {
		t.Fatal("no error for 64 input neurons in a network of 40")
	}
	if msg := lang.Render(err, nil); !strings.Contains(msg, "omega declares 64 input neurons but the data has 40 neurons") {
		t.Errorf("error\n%s\nexpected it to name 64 input neurons and 40 neurons", msg)
	}
}

package ngs_test

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/ngs-lab/ngs"
)

// Compile once, run many times with different host values: a parameter
// sweep without recompiling.
func Example() {
	src := []byte(`
gains = gain * x
total = sum(gains)
print("gain", gain, "total", total)
`)
	prog, err := ngs.Compile("sweep.ngs", src, ngs.Config{Globals: []string{"gain", "x"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := []float32{1, 2, 3}
	for _, gain := range []float64{0.5, 1, 2} {
		res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"gain": gain, "x": x}})
		if err != nil {
			fmt.Println(err)
			return
		}
		gains, _ := res.Get("gains")
		fmt.Print(res.Output())
		fmt.Println(gains)
	}
	// Output:
	// gain 0.5 total 3
	// [0.5 1 1.5]
	// gain 1 total 6
	// [1 2 3]
	// gain 2 total 12
	// [2 4 6]
}

// A Go function becomes a builtin with named arguments and defaults.
func ExampleFunc() {
	clip := ngs.Func("clip", "clip(x, lo = -1, hi = 1): x limited to [lo, hi]",
		[]ngs.Param{{Name: "x"}, {Name: "lo", Default: -1}, {Name: "hi", Default: 1}},
		func(args ngs.Args) (any, error) {
			x, err := args.Float("x")
			if err != nil {
				return nil, err
			}
			lo, _ := args.Float("lo")
			hi, _ := args.Float("hi")
			return min(max(x, lo), hi), nil
		})
	prog, err := ngs.Compile("clip.ngs", []byte(`print(clip(5), clip(-5, lo = -2), clip(0.25))`),
		ngs.Config{Funcs: []*ngs.Function{clip}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := prog.Run(context.Background(), ngs.RunConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res.Output())
	// Output:
	// 1 -2 0.25
}

// Matrices go in as gonum matrices and come back as gonum matrices;
// records come back as maps.
func ExampleResult_Get() {
	prog, err := ngs.Compile("scale.ngs", []byte(`
scaled = 10 * W
summary = {rows: shape(W)[0], total: sum(W)}
`), ngs.Config{Globals: []string{"W"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	W := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"W": W}})
	if err != nil {
		fmt.Println(err)
		return
	}
	scaled, _ := res.Get("scaled")
	fmt.Println(mat.Formatted(scaled.(*mat.Dense)))
	summary, _ := res.Get("summary")
	fmt.Println(summary)
	// Output:
	// ⎡10  20⎤
	// ⎣30  40⎦
	// map[rows:2 total:10]
}

// A deadline stops a script that never ends, with a clear error.
func ExampleProgram_Run_deadline() {
	prog, err := ngs.Compile("forever.ngs", []byte("i = 0\nwhile true { i = i + 1 }\n"), ngs.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = prog.Run(ctx, ngs.RunConfig{})
	fmt.Println(err)
	// Output:
	// forever.ngs:2:14: run stopped: deadline exceeded
	// 	while true { i = i + 1 }
	// 	             ^
}

// Compile errors show the line and a caret.
func ExampleCompile_error() {
	_, err := ngs.Compile("typo.ngs", []byte("rate = 0.5\nprint(rat)\n"), ngs.Config{})
	fmt.Println(err)
	// Output:
	// typo.ngs:2:7: undefined: rat (did you mean rate?)
	// 	print(rat)
	// 	      ^
}

// Experiment values come back as Go values too: a simulated dataset's
// activity as a gonum matrix (frames × neurons).
func ExampleResult_Matrix() {
	src := []byte(`
network tiny {
    neurons = 4
    type A { c = 1; s = 1; g = 1 }
    psi(u) = tanh(u)
    du/dt = -c*u + s*tanh(u) + g * sum_j W[i,j] * psi(u[j])
    W = gaussian()
    u0 = normal(0, 1)
}
data = simulate(tiny, dt = 0.01, frames = frames, burnin = 0, out = "")
`)
	prog, err := ngs.Compile("tiny.ngs", src, ngs.Config{Globals: []string{"frames"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"frames": 50}, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, err := res.Matrix("data.u")
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, cols := u.Dims()
	fmt.Println(rows, "frames of", cols, "neurons")
	// Output:
	// 50 frames of 4 neurons
}

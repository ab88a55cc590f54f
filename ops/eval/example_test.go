package eval_test

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/eval"
)

// The least-squares connectivity of three neurons whose targets are exactly
// Y = Ψ·Wᵀ: the solve recovers W with its zero diagonal.
func ExampleLeastSquaresW() {
	const n = 3
	w := []float32{
		0, 0.5, -1,
		2, 0, 0.25,
		-0.5, 1, 0,
	}
	psi := []float32{
		1, 0, 0,
		0, 1, 0,
		0, 0, 1,
		1, 1, 0,
		0, 1, -1,
	}
	frames := len(psi) / n
	y := make([]float32, len(psi))
	for t := 0; t < frames; t++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				y[t*n+i] += w[i*n+j] * psi[t*n+j]
			}
		}
	}
	learned, err := eval.LeastSquaresW(psi, y, frames, n, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < n; i++ {
		fmt.Printf("%.3f\n", learned[i*n:(i+1)*n])
	}
	fit, _ := eval.Connectivity(learned, w, n)
	fmt.Printf("R² %.3f slope %.3f\n", fit.R2, fit.Slope)
	// Output:
	// [0.000 0.500 -1.000]
	// [2.000 0.000 0.250]
	// [-0.500 1.000 0.000]
	// R² 1.000 slope 1.000
}

// Re-typing 10 neurons 60 % / 40 % and giving each its type's embedding.
func ExampleTypesFromFractions() {
	types, _ := eval.TypesFromFractions(10, []float64{60, 40})
	embeddings, _ := eval.EmbeddingsFromTypes(types, [][]float32{{1, 1}, {2, 0}})
	fmt.Println(types)
	fmt.Println(embeddings[:4], embeddings[12:])
	// Output:
	// [0 0 0 0 0 0 1 1 1 1]
	// [1 1 1 1] [2 0 2 0 2 0 2 0]
}

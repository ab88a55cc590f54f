package symreg_test

import (
	"context"
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/symreg"
)

// A learned update function sampled on a grid comes back as a formula that
// can be pasted into a network definition and evaluated on new inputs.
func ExampleSearch() {
	data := symreg.Data{Names: []string{"u"}}
	for i := 0; i < 300; i++ {
		u := -10 + 20*float64(i)/299
		data.X = append(data.X, []float64{u})
		data.Y = append(data.Y, -2*u+math.Tanh(u))
	}
	res, err := symreg.Search(context.Background(), data, symreg.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Best.Expr)
	y, _ := res.Best.Expr.EvalPoint(0.5)
	fmt.Printf("at u = 0.5: %.6f\n", y)
	// Output:
	// tanh(u) - 2.0*u
	// at u = 0.5: -0.537883
}

// Callers may add operators of their own; constant fitting differentiates
// them numerically when no derivative is given.
func ExampleNewUnary() {
	softplus := symreg.NewUnary("softplus", func(x float64) float64 { return math.Log1p(math.Exp(x)) }, nil)
	e, err := symreg.Parse("2.0*softplus(u/1.5)", []string{"u"}, softplus)
	if err != nil {
		fmt.Println(err)
		return
	}
	y, _ := e.EvalPoint(0)
	fmt.Printf("%s at 0: %.6f\n", e, y)
	// Output:
	// 2.0*softplus(u/1.5) at 0: 1.386294
}

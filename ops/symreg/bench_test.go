package symreg

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The benchmarks below compare the two ways the issue allows to score a
// typical candidate, -1·u + 2·tanh(u/4), on 500 samples: a gorgonia graph
// (built per candidate, or built once and re-run) and this package's postfix
// evaluator, for the loss alone and for the loss with its gradient in the
// constants (what constant fitting needs).

const benchSamples = 500

func benchData() ([]float64, []float64) {
	u := make([]float64, benchSamples)
	y := make([]float64, benchSamples)
	for i := range u {
		u[i] = -5 + 10*float64(i)/float64(benchSamples-1)
		y[i] = -u[i] + 2*math.Tanh(u[i]/4)
	}
	return u, y
}

// gorgoniaCandidate builds the candidate's loss graph; with grad it also
// adds the gradient of the loss in the three constants.
func gorgoniaCandidate(tb testing.TB, u, y []float64, grad bool) (*G.ExprGraph, *G.Node) {
	g := G.NewGraph()
	uN := G.NewVector(g, tensor.Float64, G.WithShape(len(u)), G.WithName("u"),
		G.WithValue(tensor.New(tensor.WithBacking(u))))
	yN := G.NewVector(g, tensor.Float64, G.WithShape(len(y)), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithBacking(y))))
	c := make([]*G.Node, 3)
	for i, v := range []float64{-1.1, 1.9, 4.2} {
		c[i] = G.NewScalar(g, tensor.Float64, G.WithName(string(rune('a'+i))), G.WithValue(v))
	}
	pred := G.Must(G.Add(G.Must(G.Mul(c[0], uN)), G.Must(G.Mul(c[1], G.Must(G.Tanh(G.Must(G.Div(uN, c[2]))))))))
	loss := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(pred, yN))))))
	if grad {
		if _, err := G.Grad(loss, c...); err != nil {
			tb.Fatal(err)
		}
	}
	return g, loss
}

func runGorgonia(tb testing.TB, g *G.ExprGraph, loss *G.Node) float64 {
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		tb.Fatal(err)
	}
	return loss.Value().Data().(float64)
}

// BenchmarkGorgoniaBuildAndRun: a fresh graph and machine per candidate,
// which is what a search over new candidates pays.
func BenchmarkGorgoniaBuildAndRun(b *testing.B) {
	u, y := benchData()
	for b.Loop() {
		g, loss := gorgoniaCandidate(b, u, y, false)
		runGorgonia(b, g, loss)
	}
}

// BenchmarkGorgoniaBuildAndRunGrad: the same with the gradient graph.
func BenchmarkGorgoniaBuildAndRunGrad(b *testing.B) {
	u, y := benchData()
	for b.Loop() {
		g, loss := gorgoniaCandidate(b, u, y, true)
		runGorgonia(b, g, loss)
	}
}

// BenchmarkGorgoniaRerunGrad: one machine re-run, the best case for
// gorgonia during constant fitting (one candidate, many evaluations).
func BenchmarkGorgoniaRerunGrad(b *testing.B) {
	u, y := benchData()
	g, _ := gorgoniaCandidate(b, u, y, true)
	m := G.NewTapeMachine(g)
	defer m.Close()
	for b.Loop() {
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
		m.Reset()
	}
}

func benchCandidate(b *testing.B) (*Node, *dataset) {
	u, y := benchData()
	e, err := Parse("-1.1*u + 1.9*tanh(u/4.2)", []string{"u"})
	if err != nil {
		b.Fatal(err)
	}
	return e.Root, newDataset([][]float64{u}, y)
}

// BenchmarkEvaluatorCompileAndRun: this package's cost per new candidate.
func BenchmarkEvaluatorCompileAndRun(b *testing.B) {
	root, d := benchCandidate(b)
	for b.Loop() {
		d.treeLoss(root)
	}
}

// BenchmarkEvaluatorGrad: loss and forward-mode gradient in the constants.
func BenchmarkEvaluatorGrad(b *testing.B) {
	root, d := benchCandidate(b)
	p := compile(root)
	consts := []float64{-1.1, 1.9, 4.2}
	ge := newGradEvaluator(benchSamples, len(consts))
	for b.Loop() {
		d.loss(p, consts)
		ge.run(p, consts, d.cols)
	}
}

// The two implementations must agree on the loss before their speeds are
// compared.
func TestGorgoniaAndEvaluatorAgree(t *testing.T) {
	u, y := benchData()
	g, loss := gorgoniaCandidate(t, u, y, false)
	want := runGorgonia(t, g, loss)
	e, _ := Parse("-1.1*u + 1.9*tanh(u/4.2)", []string{"u"})
	d := newDataset([][]float64{u}, y)
	got := d.treeLoss(e.Root) * d.varY
	if math.Abs(got-want) > 1e-12*math.Max(1, want) {
		t.Fatalf("evaluator MSE %g, gorgonia MSE %g", got, want)
	}
}

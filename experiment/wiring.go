package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/connect"
	"github.com/ngs-lab/ngs/runtime"
)

// WiringSpec is the value of cauchy(), gaussian() or lowrank(): a recipe for
// the connectivity that a network draws when it is declared.
type WiringSpec struct {
	Kind  string  // "cauchy", "gaussian", "lowrank"
	P     float64 // Cauchy scaling exponent; 0 = the reference's N-dependent one
	Clip  float64 // Cauchy |s| above which a sample is set to zero
	Rank  int     // low-rank rank
	Fill  float64 // filling factor in (0, 1]
	Dale  float64 // fraction of sender columns made inhibitory; 0 = no Dale's law
	Scale float64 // extra factor on every weight
	// Sparse adds, for lowrank, a sparse Gaussian part: each weight gains
	// a Normal(0, 1/(Sparse·N)) term with probability Sparse (0: none).
	Sparse float64
}

// Type implements runtime.Value.
func (*WiringSpec) Type() string { return "wiring" }

// String shows the recipe as a call.
func (w *WiringSpec) String() string {
	s := w.Kind + "("
	switch w.Kind {
	case "cauchy":
		s += fmt.Sprintf("p = %g, clip = %g", w.P, w.Clip)
	case "lowrank":
		s += fmt.Sprintf("rank = %d", w.Rank)
	}
	return s + fmt.Sprintf(", fill = %g, dale = %g)", w.Fill, w.Dale)
}

// draw generates the N×N matrix.
func (w *WiringSpec) draw(n int, rng *rand.Rand) ([]float32, error) {
	var m []float32
	var err error
	switch w.Kind {
	case "cauchy":
		p := w.P
		if p == 0 {
			p = connect.CauchyExponent(n)
		}
		m, err = connect.Cauchy(n, p, w.Clip, rng)
	case "gaussian":
		m, err = connect.Gaussian(n, rng)
	case "lowrank":
		m, err = connect.LowRank(n, w.Rank, rng)
		if err == nil && w.Sparse > 0 {
			scale := 1 / math.Sqrt(w.Sparse*float64(n))
			for k := range m {
				if k/n != k%n && rng.Float64() < w.Sparse {
					m[k] += float32(rng.NormFloat64() * scale)
				}
			}
		}
	default:
		err = fmt.Errorf("unknown wiring %q", w.Kind)
	}
	if err != nil {
		return nil, err
	}
	if w.Fill < 1 {
		if err := connect.Sparsify(m, w.Fill, rng); err != nil {
			return nil, err
		}
	}
	if w.Dale > 0 {
		if _, err := connect.Dale(m, n, w.Dale, rng); err != nil {
			return nil, err
		}
	}
	if w.Scale != 1 {
		for k := range m {
			m[k] *= float32(w.Scale)
		}
	}
	return m, nil
}

var wiringParams = []runtime.Param{
	{Name: "fill", Default: runtime.Number(1)},
	{Name: "dale", Default: runtime.Number(0)},
	{Name: "scale", Default: runtime.Number(1)},
}

func wiringBuiltin(kind, doc string, extra ...runtime.Param) *runtime.Builtin {
	return &runtime.Builtin{
		Name:   kind,
		Doc:    doc,
		Params: append(append([]runtime.Param{}, extra...), wiringParams...),
		Fn: func(c *runtime.Call) (runtime.Value, error) {
			w := &WiringSpec{Kind: kind, Clip: 25}
			var err error
			if w.Fill, err = c.Number("fill"); err != nil {
				return nil, err
			}
			if !(w.Fill > 0 && w.Fill <= 1) {
				return nil, c.NamedError("fill", "fill is a fraction in (0, 1], found %g", w.Fill)
			}
			if w.Dale, err = c.Number("dale"); err != nil {
				return nil, err
			}
			if w.Dale < 0 || w.Dale > 1 {
				return nil, c.NamedError("dale", "dale is the fraction of inhibitory senders in [0, 1], found %g", w.Dale)
			}
			if w.Scale, err = c.Number("scale"); err != nil {
				return nil, err
			}
			switch kind {
			case "cauchy":
				if w.P, err = c.Number("p"); err != nil {
					return nil, err
				}
				if w.Clip, err = c.Number("clip"); err != nil {
					return nil, err
				}
				if !(w.Clip > 0) {
					return nil, c.NamedError("clip", "clip must be > 0, found %g", w.Clip)
				}
			case "lowrank":
				r, err := c.Number("rank")
				if err != nil {
					return nil, err
				}
				if r < 1 || r != float64(int(r)) {
					return nil, c.NamedError("rank", "rank must be a whole number ≥ 1, found %g", r)
				}
				w.Rank = int(r)
				if w.Sparse, err = c.Number("sparse"); err != nil {
					return nil, err
				}
				if !(w.Sparse >= 0 && w.Sparse <= 1) {
					return nil, c.NamedError("sparse", "sparse is the fraction of weights with a sparse part, in [0, 1], found %g", w.Sparse)
				}
			}
			return w, nil
		},
	}
}

// wiring draws W from the network's W setting (default cauchy()).
func (b *networkBuilder) wiring(rng *rand.Rand) error {
	net := b.net
	n := float64(net.N)
	// W, and at least one more N×N float32 array: a loaded W is copied,
	// and train holds the learned Ŵ beside it (with its gradient and Adam
	// moments, more still).
	if err := b.d.Interp.CheckMemory(fmt.Sprintf("network %s: W of %d×%d float32 and one more array of its size (a copy, or the learned Ŵ)", net.Name, net.N, net.N), 8*n*n,
		"use fewer neurons (each N×N float32 array takes 4·N² bytes)"); err != nil {
		return lang.Errorf(b.neuronsPos(), "%v", err)
	}
	s, ok := b.settings["W"]
	if !ok {
		w, err := (&WiringSpec{Kind: "cauchy", Clip: 25, Fill: 1, Scale: 1}).draw(net.N, rng)
		net.W = w
		return errorAt(b.d.Decl.At, err)
	}
	v, err := b.d.Interp.Eval(s.Value, b.env)
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case *WiringSpec:
		net.W, err = v.draw(net.N, rng)
		return errorAt(s.Value.Position(), err)
	case *runtime.Tensor:
		if len(v.Shape) != 2 || v.Shape[0] != net.N || v.Shape[1] != net.N {
			return lang.Errorf(s.Value.Position(), "W must be %d×%d, found a tensor of shape %v", net.N, net.N, v.Shape)
		}
		if err := nonFiniteError("W", v.Data, v.Shape); err != nil {
			return lang.Errorf(s.Value.Position(), "%v", err)
		}
		net.W = append([]float32(nil), v.Data...)
		for i := 0; i < net.N; i++ {
			net.W[i*net.N+i] = 0
		}
		return nil
	}
	return lang.Errorf(s.Value.Position(), "W must be cauchy(), gaussian(), lowrank(rank = r) or an N×N tensor such as load(\"w.npy\"), found %s", v.Type())
}

// neuronsPos is the position of the neurons setting, or of the declaration.
func (b *networkBuilder) neuronsPos() lang.Pos {
	if s, ok := b.settings["neurons"]; ok {
		return s.Value.Position()
	}
	return b.d.Decl.At
}

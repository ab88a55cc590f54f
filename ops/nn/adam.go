package nn

import (
	"fmt"
	"math"
)

// ParamGroup is one set of parameters optimised with its own learning rate.
// Params and Grads are views owned by the model; Frozen groups are skipped.
type ParamGroup struct {
	Name   string
	Params []float32
	Grads  []float32
	LR     float64
	Frozen bool
	m, v   []float32
	t      int
}

// Adam is the Adam optimiser (Kingma & Ba) over several parameter groups,
// each with its own learning rate and bias-correction step count.
type Adam struct {
	Beta1, Beta2, Eps float64
	Groups            []*ParamGroup
}

// NewAdam returns Adam with β1 0.9, β2 0.999, ε 1e-8 and no groups.
func NewAdam() *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Add registers a parameter group and returns it.
func (a *Adam) Add(name string, params, grads []float32, lr float64) (*ParamGroup, error) {
	if len(params) != len(grads) {
		return nil, fmt.Errorf("nn: group %q has %d parameters but %d gradients", name, len(params), len(grads))
	}
	if !(lr > 0) {
		return nil, fmt.Errorf("nn: group %q needs a learning rate > 0, found %g", name, lr)
	}
	g := &ParamGroup{Name: name, Params: params, Grads: grads, LR: lr}
	a.Groups = append(a.Groups, g)
	return g, nil
}

// Group returns the group with the given name, or nil.
func (a *Adam) Group(name string) *ParamGroup {
	for _, g := range a.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Step applies one Adam update to every group that is not frozen, using the
// gradients currently in each group's Grads.
func (a *Adam) Step() {
	for _, g := range a.Groups {
		if !g.Frozen {
			a.stepGroup(g)
		}
	}
}

func (a *Adam) stepGroup(g *ParamGroup) {
	g.t++
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1 := 1 - math.Pow(a.Beta1, float64(g.t))
	c2 := 1 - math.Pow(a.Beta2, float64(g.t))
	step := float32(g.LR / c1)
	sc2 := float32(1 / math.Sqrt(c2))
	eps := float32(a.Eps)
	if g.m == nil {
		g.m, g.v = make([]float32, len(g.Params)), make([]float32, len(g.Params))
	}
	p, gr, m, v := g.Params, g.Grads[:len(g.Params)], g.m[:len(g.Params)], g.v[:len(g.Params)]
	ParallelRows(len(p), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			gk := gr[k]
			m[k] = b1*m[k] + (1-b1)*gk
			v[k] = b2*v[k] + (1-b2)*gk*gk
			p[k] -= step * m[k] / (sqrt32(v[k])*sc2 + eps)
		}
	})
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// Reset clears the group's moments and step count.
func (g *ParamGroup) Reset() {
	clear(g.m)
	clear(g.v)
	g.t = 0
}

// Release frees the group's moments and clears its step count, for a group
// frozen for a long time: its next step allocates them again, zeroed, as
// after Reset. (Ŵ's moments are 512 MB at N = 8000.)
func (g *ParamGroup) Release() {
	g.m, g.v, g.t = nil, nil, 0
}

// Reset clears every group's moments and step count (the reference rebuilds
// its optimiser at each epoch end).
func (a *Adam) Reset() {
	for _, g := range a.Groups {
		g.Reset()
	}
}

// Moments returns copies of the group's first and second moments and its
// step count (for checkpoints); both are empty before the group's first
// step and after Release.
func (g *ParamGroup) Moments() (m, v []float32, t int) {
	return append([]float32(nil), g.m...), append([]float32(nil), g.v...), g.t
}

// SetMoments restores moments saved by Moments; the lengths must match the
// group's parameters (or both be empty: no moments yet).
func (g *ParamGroup) SetMoments(m, v []float32, t int) error {
	if len(m) == 0 && len(v) == 0 {
		g.Release()
		g.t = t
		return nil
	}
	if len(m) != len(g.Params) || len(v) != len(g.Params) {
		return fmt.Errorf("nn: group %q has %d parameters, the saved moments %d and %d", g.Name, len(g.Params), len(m), len(v))
	}
	g.m, g.v = append(g.m[:0], m...), append(g.v[:0], v...)
	g.t = t
	return nil
}

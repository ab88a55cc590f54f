package gnn

import (
	"math"
	"slices"
)

// params is a copy of a model's learnable parameters.
type params struct {
	W, A, Phi, Psi, Omega []float32
	// Curve, CurveLo and CurveHi are the joint steps' ψ* (Model.psiCurve;
	// Curve nil without one).
	Curve            []float32
	CurveLo, CurveHi float32
	// Groups are the grouped steps' curves (Model.psiGroups).
	Groups []GroupPsi
	// Bias is the receivers' constant terms (Model.bias; nil without).
	Bias []float32
}

// snapshot copies m's parameters.
func (m *Model) snapshot() *params {
	p := m.functions()
	p.W = slices.Clone(m.w)
	p.Bias = slices.Clone(m.bias)
	return p
}

// restoreParams copies p into m's parameters.
func (m *Model) restoreParams(p *params) {
	copy(m.w, p.W)
	m.bias = slices.Clone(p.Bias)
	m.restoreFunctions(p)
}

// functions copies m's parameters other than Ŵ: φ*, ψ*, a and Ω*.
func (m *Model) functions() *params {
	p := &params{A: slices.Clone(m.a), Phi: slices.Clone(m.phi.Params), Psi: slices.Clone(m.psi.Params)}
	if m.omega != nil {
		p.Omega = slices.Clone(m.omega.Params)
	}
	if c := m.psiCurve; c != nil {
		p.Curve, p.CurveLo, p.CurveHi = slices.Clone(c.vals), c.lo, c.hi
	}
	p.Groups = cloneGroupPsi(m.psiGroups)
	return p
}

// restoreFunctions copies p's φ*, ψ*, a and Ω* into m, leaving Ŵ as it is.
func (m *Model) restoreFunctions(p *params) {
	copy(m.a, p.A)
	copy(m.phi.Params, p.Phi)
	copy(m.psi.Params, p.Psi)
	if m.omega != nil {
		copy(m.omega.Params, p.Omega)
	}
	m.psiCurve = nil
	if p.Curve != nil {
		m.psiCurve = &psiCurve{lo: p.CurveLo, hi: p.CurveHi, vals: slices.Clone(p.Curve)}
	}
	m.psiGroups = cloneGroupPsi(p.Groups)
}

// clone deep-copies p (nil stays nil).
func (p *params) clone() *params {
	if p == nil {
		return nil
	}
	return &params{W: slices.Clone(p.W), A: slices.Clone(p.A), Phi: slices.Clone(p.Phi),
		Psi: slices.Clone(p.Psi), Omega: slices.Clone(p.Omega),
		Curve: slices.Clone(p.Curve), CurveLo: p.CurveLo, CurveHi: p.CurveHi, Groups: cloneGroupPsi(p.Groups), Bias: slices.Clone(p.Bias)}
}

// track is the training state beyond the parameters that a checkpoint must
// hold for a resumed run to continue exactly: the optimiser step count, the
// validation history, the best fit so far and the learning-rate scale left
// by rollbacks.
type track struct {
	Steps     int       // optimiser steps taken over all epochs
	ValLosses []float64 // validation mean squared error after each epoch
	BestVal   float64   // best validation loss of the current phase (NaN: none yet)
	BestEpoch int       // epoch (0-based) whose end state is Best; -1 for none
	SinceBest int       // epochs since the best improved by more than Tolerance
	LRScale   float64   // factor on every learning rate (halved by each rollback)
	Ramp      int       // steps of the rate ramp after the warm-up (decided at the first solve when automatic)
	Moves     []float64 // each solve's SolveReport.Moved, kept under UntilSettled (the rule's history)
	Best      *params   // parameters at BestEpoch's end
	Extra     []byte    // integrator state (TrainConfig.SaveExtra)
	Adam      []AdamMoments
}

// AdamMoments is one Adam group's state in a checkpoint.
type AdamMoments struct {
	Name string
	M, V []float32
	T    int
}

func newTrack() track { return track{BestVal: math.NaN(), BestEpoch: -1, LRScale: 1} }

func (t track) clone() track {
	c := t
	c.ValLosses = slices.Clone(t.ValLosses)
	c.Moves = slices.Clone(t.Moves)
	c.Best = t.Best.clone()
	c.Extra = slices.Clone(t.Extra)
	c.Adam = slices.Clone(t.Adam)
	return c
}

// ValidationLosses returns the validation mean squared error after each
// completed epoch (NaN where validation was off).
func (m *Model) ValidationLosses() []float64 { return slices.Clone(m.track.ValLosses) }

// BestEpoch returns the 0-based epoch whose end state the model holds after
// training (the best by validation loss in the last phase), or -1.
func (m *Model) BestEpoch() int { return m.track.BestEpoch }

// CheckpointExtra returns the integrator state saved with the checkpoint
// the model was loaded from (TrainConfig.SaveExtra), or nil.
func (m *Model) CheckpointExtra() []byte { return slices.Clone(m.track.Extra) }

package nn

import (
	"fmt"
	"math"
	"math/rand"
)

// SirenSpec describes a SIREN: HiddenLayers sine-activated layers of width
// Hidden (activation sin(Omega0·z)) followed by one linear output layer.
// The paper's Ω* uses In 3 (x, y, t), Hidden 128, HiddenLayers 5, Omega0 30, Out 1.
type SirenSpec struct {
	In, Hidden, HiddenLayers, Out int
	Omega0                        float64
}

// DefaultSiren is the paper's Ω*: (x, y, t) → 1 through 5 sine layers of 128, ω0 = 30.
func DefaultSiren() SirenSpec {
	return SirenSpec{In: 3, Hidden: 128, HiddenLayers: 5, Out: 1, Omega0: 30}
}

// MLPSpec returns the equivalent MLP spec (HiddenLayers+1 Linear layers).
func (s SirenSpec) MLPSpec() MLPSpec {
	om := s.Omega0
	if om == 0 {
		om = 30
	}
	return MLPSpec{In: s.In, Hidden: s.Hidden, Out: s.Out, Layers: s.HiddenLayers + 1, Activation: "sin", Omega0: om}
}

// NewSiren builds a SIREN with the standard initialisation (Sitzmann et al.):
// first layer weights U(±1/fan_in), later weights U(±√(6/fan_in)/ω0), biases
// U(±1/√fan_in).
func NewSiren(spec SirenSpec, rng *rand.Rand) (*MLP, error) {
	if spec.HiddenLayers < 1 {
		return nil, fmt.Errorf("nn: SIREN needs at least 1 hidden layer, found %d", spec.HiddenLayers)
	}
	ms := spec.MLPSpec()
	m, err := NewMLP(ms)
	if err != nil {
		return nil, err
	}
	for l, d := range m.Layers {
		fanIn := float64(d.In)
		bound := math.Sqrt(6/fanIn) / ms.Omega0
		if l == 0 {
			bound = 1 / fanIn
		}
		fillUniform(d.W, bound, rng)
		fillUniform(d.B, 1/math.Sqrt(fanIn), rng)
	}
	return m, nil
}

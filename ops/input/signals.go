package input

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Oscillation drives every neuron with e_i(t) = A_i·cos(2π·f·t), A_i drawn
// once from Uniform(-A, A).
type Oscillation struct {
	amplitudes []float32
	frequency  float64
}

// NewOscillation draws the per-neuron amplitudes for n neurons.
func NewOscillation(n int, amplitude, frequency float64, rng *rand.Rand) *Oscillation {
	a := make([]float32, n)
	for i := range a {
		a[i] = float32(amplitude * (2*rng.Float64() - 1))
	}
	return &Oscillation{amplitudes: a, frequency: frequency}
}

// Fill implements Source.
func (o *Oscillation) Fill(e []float32, s Step) error {
	if err := checkLength(e, len(o.amplitudes), "oscillation"); err != nil {
		return err
	}
	if s.Burnin {
		zero(e)
		return nil
	}
	c := float32(math.Cos(2 * math.Pi * o.frequency * s.Time))
	for i, a := range o.amplitudes {
		e[i] = a * c
	}
	return nil
}

// Positions implements Source: every neuron on a square grid.
func (o *Oscillation) Positions() ([]int, []float32, []float32) {
	return GridPositions(len(o.amplitudes))
}

// TriggerOptions configures a Triggered source.
type TriggerOptions struct {
	// Events is the number of impulses, spread over the recorded frames.
	Events int
	// Fraction of the neurons each impulse reaches (each drawn independently).
	Fraction float64
	// Amplitude of the impulse.
	Amplitude float64
	// Frequency of the oscillation that follows an impulse (per unit time).
	Frequency float64
	// Decay is the time constant of the oscillation's envelope (time units).
	Decay float64
}

// Triggered delivers impulses to random subsets of neurons at spread-out
// times, each followed by a decaying oscillation:
// e_i(t) = Σ over events reaching i with t ≥ t_k of A·exp(-(t-t_k)/τ)·cos(2πf(t-t_k)).
type Triggered struct {
	opt     TriggerOptions
	n       int
	offsets []float64 // event times as fractions of the recorded span
	members [][]int   // neurons reached by each event
}

// NewTriggered draws the event times (one per equal slice of the recorded
// span, jittered inside its slice) and the neurons each event reaches.
func NewTriggered(n int, opt TriggerOptions, rng *rand.Rand) (*Triggered, error) {
	if opt.Events < 1 || opt.Fraction <= 0 || opt.Fraction > 1 || opt.Decay <= 0 {
		return nil, fmt.Errorf("input: triggered needs events ≥ 1, 0 < fraction ≤ 1 and decay > 0; found events %d, fraction %g, decay %g", opt.Events, opt.Fraction, opt.Decay)
	}
	t := &Triggered{opt: opt, n: n}
	for k := 0; k < opt.Events; k++ {
		t.offsets = append(t.offsets, (float64(k)+0.25+0.5*rng.Float64())/float64(opt.Events))
		var m []int
		for i := 0; i < n; i++ {
			if rng.Float64() < opt.Fraction {
				m = append(m, i)
			}
		}
		t.members = append(t.members, m)
	}
	return t, nil
}

// Fill implements Source.
func (t *Triggered) Fill(e []float32, s Step) error {
	if err := checkLength(e, t.n, "triggered input"); err != nil {
		return err
	}
	zero(e)
	if s.Burnin {
		return nil
	}
	for k, off := range t.offsets {
		elapsed := (float64(s.Frame) - off*float64(s.Frames)) * s.Dt
		if elapsed < 0 || elapsed > 20*t.opt.Decay {
			continue
		}
		v := float32(t.opt.Amplitude * math.Exp(-elapsed/t.opt.Decay) * math.Cos(2*math.Pi*t.opt.Frequency*elapsed))
		for _, i := range t.members[k] {
			e[i] += v
		}
	}
	return nil
}

// Positions implements Source: every neuron on a square grid.
func (t *Triggered) Positions() ([]int, []float32, []float32) { return GridPositions(t.n) }

// FieldFunc is a host function giving e for neuron i at grid position (x, y)
// and time t.
type FieldFunc func(t float64, i int, x, y float64) float64

// Field evaluates a host callback for every neuron at every step.
type Field struct {
	fn      FieldFunc
	neurons []int
	x, y    []float32
}

// NewField wraps fn for n neurons laid on a square grid.
func NewField(n int, fn FieldFunc) *Field {
	neurons, x, y := GridPositions(n)
	return &Field{fn: fn, neurons: neurons, x: x, y: y}
}

// Fill implements Source. A panic inside the callback is returned as an error.
func (f *Field) Fill(e []float32, s Step) (err error) {
	if err := checkLength(e, len(f.neurons), "field"); err != nil {
		return err
	}
	if s.Burnin {
		zero(e)
		return nil
	}
	i := 0
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("input: field function failed at t = %g for neuron %d: %v", s.Time, i, r)
		}
	}()
	for ; i < len(e); i++ {
		e[i] = float32(f.fn(s.Time, i, float64(f.x[i]), float64(f.y[i])))
	}
	return nil
}

// Positions implements Source.
func (f *Field) Positions() ([]int, []float32, []float32) { return f.neurons, f.x, f.y }

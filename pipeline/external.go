package pipeline

import (
	"math"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/report"
)

// externalInput compares the learned input with the recorded true input
// over 100 frames evenly spaced over the recording, the reference's way:
// in multiplicative mode the true √e against |Ω*| (e = Ω*²), in additive
// mode the true e against the signed Ω*, times one scale (the ratio of the
// maxima at the first frame), and R² and slope of one linear fit pooled
// over frames and input neurons (external_input.r2, .slope).
//
// external_input.r2_per_neuron_scale is the R² left after removing each
// input neuron's mean over the frames from both and fitting one scale per
// neuron: what the field says about change in time, which is 0 for a
// field that learned nothing (constant in time), whatever the per-pixel
// means. external_input.table_r2 scores the input table that training
// learned (before the SIREN fit) the same way, and
// external_input.siren_fit_r2 is the SIREN's fit to that table.
func (rp *reporter) externalInput() error {
	m := rp.fit.Model
	d := rp.data
	o := m.Spec().Omega
	if o == nil {
		return skipped("the model learns no hidden input")
	}
	if d.E == nil {
		return skipped("the data did not record the true input e")
	}
	frames := min(100, d.Frames)
	k := len(o.Neurons)
	numbers := make([]int, frames)
	for s := range numbers {
		numbers[s] = s * d.Frames / frames
	}
	truth, learned := compareInput(m, d, numbers, m.InputField)
	section := report.ExternalInput{True: truth, Learned: learned, Frames: frames, X: o.X, Y: o.Y,
		FrameNumbers: numbers, FrameZeroScale: true, What: "e (signed Ω*)"}
	if r2, ok := centredPerNeuronR2(truth, learned, k); ok {
		section.PerNeuronScaleR2 = &r2
	}
	if m.HasInputTable() {
		_, tab := compareInput(m, d, numbers, m.InputTableField)
		scale := frameScale(truth, tab, k)
		scaled := make([]float32, len(tab))
		for i, v := range tab {
			scaled[i] = float32(scale * float64(v))
		}
		r2 := metrics.LinearFit(truth, scaled).R2
		if sameValues(scaled) || math.IsNaN(r2) {
			r2 = 0 // a table that never changed explains nothing
		}
		section.TableR2 = &r2
		if fit := m.SirenFitR2(); !math.IsNaN(fit) {
			section.SirenFitR2 = &fit
		}
	}
	if o.Mode == gnn.Multiplicative {
		section.What = "√e (|Ω*|)"
	}
	return rp.r.AddExternalInput(section)
}

// compareInput returns the true and learned values at the given frames
// (frames × input neurons): √e and √|e| in multiplicative mode, e as is
// in additive mode.
func compareInput(m *gnn.Model, d *Data, frames []int, field func(float32) []float32) (truth, learned []float32) {
	o := m.Spec().Omega
	n := m.N()
	mult := o.Mode == gnn.Multiplicative
	for _, f := range frames {
		e := field(float32(f) / float32(d.Frames))
		for _, i := range o.Neurons {
			tv, lv := d.E[f*n+i], e[i]
			if mult {
				tv = float32(math.Sqrt(math.Max(float64(tv), 0)))
				lv = float32(math.Sqrt(math.Abs(float64(lv))))
			}
			truth, learned = append(truth, tv), append(learned, lv)
		}
	}
	return truth, learned
}

// frameScale is the reference's scale (max |true| / max |learned| at the
// first frame), or 1 when either is 0.
func frameScale(truth, learned []float32, k int) float64 {
	var mt, ml float64
	for i := 0; i < k; i++ {
		mt = math.Max(mt, math.Abs(float64(truth[i])))
		ml = math.Max(ml, math.Abs(float64(learned[i])))
	}
	if !(mt > 0) || !(ml > 0) {
		return 1
	}
	return mt / ml
}

// centredPerNeuronR2 is 1 − Σ(t̃ − s_q·l̃)² / Σ t̃² over frames × k input
// neurons, where t̃ and l̃ are the true and learned values minus each
// neuron's mean over the frames and s_q the least-squares scale of neuron
// q. It is 0 for a learned field that is constant in time, and 1 for one
// that is right up to a factor and an offset per neuron. ok is false
// when the true input does not change in time.
func centredPerNeuronR2(truth, learned []float32, k int) (r2 float64, ok bool) {
	frames := len(truth) / k
	var res, tot float64
	for q := 0; q < k; q++ {
		var mt, ml float64
		for f := 0; f < frames; f++ {
			mt += float64(truth[f*k+q])
			ml += float64(learned[f*k+q])
		}
		mt /= float64(frames)
		ml /= float64(frames)
		var tl, ll, tt float64
		for f := 0; f < frames; f++ {
			t, l := float64(truth[f*k+q])-mt, float64(learned[f*k+q])-ml
			tl += t * l
			ll += l * l
			tt += t * t
		}
		s := 0.0
		if ll > 0 {
			s = tl / ll
		}
		res += tt - s*tl
		tot += tt
	}
	if !(tot > 0) || math.IsNaN(res) {
		return 0, false
	}
	return 1 - res/tot, true
}

// sameValues says whether every value of x is the same.
func sameValues(x []float32) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

package experiment

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/report"
)

// reportSection is one section of a report and the function that adds it.
type reportSection struct {
	name string
	fn   func() error
}

// noTruth reports whether the report has nothing true to compare with: the
// truth is the placeholder network of a recording, which has no W.
func (rp *reporter) noTruth() bool { return rp.truth.W == nil }

// recordingSections adapts the list of sections to a fit on a recording:
// du/dt predicted on held-out frames is added, and the rollout is compared
// with the recorded activity rather than with a simulation of the truth
// (which, for a partial recording, is not the system that was recorded).
// Without truth, connectivity, types and functions show what was learned
// only, and every section says that there is no ground truth.
func (rp *reporter) recordingSections(list []reportSection) []reportSection {
	out := make([]reportSection, 0, len(list)+1)
	for _, s := range list {
		switch s.name {
		case "activity":
			out = append(out, s, reportSection{"prediction", rp.prediction})
			continue
		case "rollout":
			s.fn = rp.recordedRollout
		case "connectivity":
			if rp.noTruth() {
				s.fn = rp.learnedConnectivity
			}
		case "types":
			if rp.noTruth() && rp.fit.Data.Recording.Types == nil {
				s.fn = rp.learnedTypes
			}
		case "functions":
			if rp.noTruth() {
				s.fn = rp.learnedFunctions
			}
		}
		out = append(out, s)
	}
	if rp.noTruth() {
		for k := range out {
			s := out[k]
			out[k].fn = func() error {
				err := s.fn()
				for _, key := range noTruthKeys[s.name] {
					rp.r.Note(key, report.NoTruth+" "+noTruthNotes[key])
				}
				return err
			}
		}
	}
	return out
}

// noTruthKeys are the report sections each step adds.
var noTruthKeys = map[string][]string{
	"activity": {"activity"}, "prediction": {"prediction"}, "connectivity": {"connectivity"}, "types": {"types"},
	"functions": {"functions.phi", "functions.psi"}, "rollout": {"rollout"}, "training": {"training"}, "symbolic": {"symbolic"},
}

// noTruthNotes say what each section shows instead of a comparison.
var noTruthNotes = map[string]string{
	"activity":      "The traces are the recorded activity.",
	"prediction":    "The learned model is judged by how well it predicts du/dt on frames it never saw.",
	"connectivity":  "Ŵ is shown alone; its scale is g·W, since the coupling gain g is unknown.",
	"types":         "The embeddings are coloured by learned cluster; the number of clusters is the model's estimate of the number of types.",
	"functions.phi": "Each neuron's learned update function φ*, coloured by learned cluster.",
	"functions.psi": "The learned transfer function ψ*, divided by its plateau at large u.",
	"rollout":       "The learned model is integrated from the first held-out frame and compared with the recorded activity (\"true\" in the plot is the recording).",
	"training":      "The loss is the fit to the recorded (or estimated) du/dt.",
	"symbolic":      "Formulas fitted to the learned functions, not checked against true ones.",
}

// prediction compares the model's du/dt with the recording's on the
// held-out frames (on up to 2,000 training frames when none were held out).
func (rp *reporter) prediction() error {
	d := rp.fit.Data
	rec := d.Recording
	m := rp.fit.Model
	n := m.N()
	u, du, frames, held := rec.HoldU, rec.HoldDU, rec.HoldFrames, true
	if frames == 0 {
		frames, held = min(d.Frames, 2000), false
		u, du = d.U[:frames*n], d.DU[:frames*n]
	}
	pred := make([]float32, 0, frames*n)
	for f := 0; f < frames; f++ {
		p, err := m.Predict(u[f*n:(f+1)*n], nil, 1)
		if err != nil {
			return err
		}
		pred = append(pred, p...)
	}
	what := "du/dt " + rec.MethodText()
	if rec.Smoothed {
		what += ", at the smoothed activity"
	}
	return rp.r.AddPrediction(report.Prediction{Target: du, Predicted: pred, Frames: frames, Neurons: n, What: what, Held: held})
}

// recordedRollout integrates the learned model from the first held-out
// frame and compares it with the recorded activity that followed.
func (rp *reporter) recordedRollout() error {
	steps, err := rp.c.Number("rollout")
	if err != nil {
		return err
	}
	if steps < 1 {
		return skipped("rollout = 0")
	}
	rec := rp.fit.Data.Recording
	if rec.HoldRun < 2 {
		return skipped("no held-out frames to roll out against (holdout = 0)")
	}
	s := min(int(steps), rec.HoldRun-1)
	m := rp.fit.Model
	n := m.N()
	learned, err := m.Rollout(rec.HoldU[:n], rp.fit.Data.Dt, s, nil)
	if err != nil {
		return err
	}
	cps := checkpoints(s)
	if len(cps) == 0 {
		cps = []int{s}
	}
	err = rp.r.AddRollout(report.Rollout{True: rec.HoldRaw[:(s+1)*n], Learned: learned, Frames: s + 1, Neurons: n, Dt: rp.fit.Data.Dt, Checkpoints: cps})
	if err == nil && !rp.noTruth() {
		rp.r.Note("rollout", "Compared with the recorded activity from the first held-out frame (\"true\" in the plot is the recording).")
	}
	return err
}

// learnedConnectivity shows Ŵ (plateau-corrected, in units of g·W).
func (rp *reporter) learnedConnectivity() error {
	m := rp.fit.Model
	w, err := gnn.CorrectedW(m, m.XNorm(), 1)
	if err != nil {
		return err
	}
	return rp.r.AddLearnedConnectivity(report.LearnedW{N: m.N(), W: w, Label: "corrected by ψ*'s plateau, g·W"})
}

// clusterNames names learned clusters.
func clusterNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprintf("cluster %d", i)
	}
	return names
}

// learnedLabels are the fit's clusters (its last clustering step, or single
// linkage of the embeddings at the report's threshold).
func (rp *reporter) learnedLabels() ([]int, int, error) {
	if rp.labels != nil {
		k := 0
		for _, l := range rp.labels {
			k = max(k, l+1)
		}
		return rp.labels, k, nil
	}
	labels, k, err := fitClusters(rp.fit, rp.threshold)
	if err != nil {
		return nil, 0, err
	}
	rp.labels = labels
	return labels, k, nil
}

// learnedTypes shows the embeddings coloured by learned cluster.
func (rp *reporter) learnedTypes() error {
	if rp.fit.Frozen {
		return skipped("the embeddings were frozen (freeze_embedding = true): no types to recover")
	}
	m := rp.fit.Model
	labels, k, err := rp.learnedLabels()
	if err != nil {
		return err
	}
	return rp.r.AddTypes(report.Types{Embeddings: m.Embeddings(), Dim: m.Spec().EmbeddingDim, TrueTypes: labels, TypeNames: clusterNames(k), ClusterCount: k})
}

// learnedFunctions shows φ* per neuron and the plateau-corrected ψ*,
// coloured by learned cluster.
func (rp *reporter) learnedFunctions() error {
	m := rp.fit.Model
	labels, k, err := rp.learnedLabels()
	if err != nil {
		labels, k = nil, 1
	}
	names := clusterNames(k)
	if err := rp.r.AddLearnedFunctions("phi", "Update function φ* (learned)", "φ*(u, a_i)",
		report.LearnedCurves{Grid: rp.grid, Curves: m.SamplePhi(rp.grid), Groups: labels, GroupNames: names}); err != nil {
		return err
	}
	psi, err := pipeline.TransferCurves(m, rp.grid)
	if err != nil {
		return err
	}
	return rp.r.AddLearnedFunctions("psi", "Transfer function ψ* (learned, corrected)", "ψ*(u) / plateau",
		report.LearnedCurves{Grid: rp.grid, Curves: psi, Groups: labels, GroupNames: names})
}

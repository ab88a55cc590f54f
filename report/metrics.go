package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Metrics is everything a report measured, section by section: the typed
// form of metrics.json. A section that was not added (or failed before its
// numbers were known) is nil. Report.Metrics returns it; MarshalJSON writes
// the nested key tree that metrics.json holds, with non-finite numbers as
// null and listed under "not_computed".
type Metrics struct {
	// Run describes the run; Written is set when the report is closed.
	Run RunInfo
	// Timing holds seconds by phase under its metric name ("simulate_s",
	// "train_s", "report_s", "total_s"); set when the report is closed.
	Timing map[string]float64
	// Activity is the activity section (activity.*).
	Activity *ActivityMetrics
	// Prediction is the du/dt prediction section of a recording
	// (prediction.*).
	Prediction *PredictionMetrics
	// Connectivity compares the learned W with the true one
	// (connectivity.*).
	Connectivity *ConnectivityMetrics
	// LearnedConnectivity describes a learned W with no truth to compare it
	// with (connectivity.*, as AddLearnedConnectivity writes it).
	LearnedConnectivity *LearnedConnectivityMetrics
	// Edges scores the sparse graph read off Ŵ (edges.*).
	Edges *EdgeMetrics
	// Types scores the clusters of the embeddings (types.*).
	Types *TypeMetrics
	// Functions holds the function sections by function name ("phi",
	// "psi"): functions.<name>.*, functions.<name>_r2.* and
	// functions.<name>_scale.*.
	Functions map[string]*FunctionMetrics
	// Rollout and Transfer compare rollouts at their checkpoints
	// (rollout.step<K>.*, transfer.step<K>.*).
	Rollout, Transfer *RolloutMetrics
	// ExternalInput compares the learned input with the true one
	// (external_input.*).
	ExternalInput *ExternalInputMetrics
	// Training summarises the training curves (training.*).
	Training *TrainingMetrics
	// Symbolic holds the formulas chosen for the learned functions
	// (symbolic.*, symbolic_fit.*, symbolic_note).
	Symbolic *SymbolicMetrics
	// Skipped gives, for each section that could not be computed, the
	// reason (skipped.<section>).
	Skipped map[string]string
	// Custom holds the metrics set with Report.Set and AddTable, as nested
	// maps by the parts of their dotted keys; they are written after the
	// typed sections and may add keys to their groups.
	Custom map[string]any
}

// RunInfo describes the run a report belongs to (run.* in metrics.json).
type RunInfo struct {
	Script, Version, GoVersion string
	Seed                       int64
	// Started and Written are RFC 3339 times in UTC ("" when unknown).
	Started, Written string
}

// ActivityMetrics is the scale of the recorded activity.
type ActivityMetrics struct {
	Frames, Neurons int
	Mean, Std       float64
}

// PredictionMetrics scores the model's du/dt against the target on the
// compared frames.
type PredictionMetrics struct {
	R2, Slope float64
	Frames    int
	// R2NeuronMedian is the median over neurons of each neuron's R².
	R2NeuronMedian float64
	// HeldOut is true when the frames were held out of training.
	HeldOut bool
}

// LineFit is the least-squares line of learned against true values.
type LineFit struct {
	R2, Slope float64
}

// ConnectivityMetrics compares the corrected learned W with the true W over
// the off-diagonal entries (see eval.Connectivity).
type ConnectivityMetrics struct {
	N int
	// R2, Slope and Intercept describe the fitted line; R2Identity is the
	// R² against y = x.
	R2, R2Identity, Slope, Intercept float64
	// Raw is the fit of the uncorrected W, Baseline the fit of the oracle
	// least-squares W (nil when not given).
	Raw, Baseline *LineFit
	// BaselineNote says why there is no oracle baseline ("" when there is
	// one or no reason was given).
	BaselineNote string
}

// LearnedConnectivityMetrics describes the off-diagonal entries of a
// learned W with nothing true to compare it with.
type LearnedConnectivityMetrics struct {
	N                 int
	Mean, Std, AbsMax float64
	// Quantiles are at 1, 5, 25, 50, 75, 95 and 99 %.
	Quantiles []float64
}

// EdgeMetrics scores a sparse graph read off Ŵ against the true edges (see
// AddEdges for each number).
type EdgeMetrics struct {
	TrueEdges, Entries                       int
	Fill, Threshold                          float64
	Rule                                     string
	Predicted                                int
	Precision, Recall, F1, SignAccuracy      float64
	AUPRC, AUPRCChance, PrecisionAtTrueCount float64
	// Warning says when precision or recall say nothing ("" otherwise).
	Warning string
}

// TypeMetrics scores learned clusters against the true types.
type TypeMetrics struct {
	// Clusters is the number of clusters (0 when none were given).
	Clusters int
	// Score is the accuracy and ARI of the clusters (nil when no clusters
	// were compared with true types).
	Score *TypeScore
	// Warning says when the clustering threshold looks wrong ("" otherwise).
	Warning string
}

// TypeScore is how well clusters match the true types: the fraction of
// neurons matched under the best one-to-one matching, and the adjusted
// Rand index.
type TypeScore struct {
	Accuracy, ARI float64
}

// FunctionMetrics scores the learned curves of one function.
type FunctionMetrics struct {
	// ByType scores each true type's curves; R2 and RMSE score all curves
	// (both empty for learned curves without truth).
	ByType    []TypeFunctionScore
	R2, RMSE  float64
	HasScores bool
	// Curves is the number of learned curves of a section without truth
	// (0 otherwise).
	Curves int
	// R2ByType is eval.FunctionR2ByType's R² of each true type
	// (functions.<name>_r2.<type>), Scales the scale of each type's curves
	// when the caller gave one (functions.<name>_scale.<type>).
	R2ByType, Scales []NamedValue
}

// TypeFunctionScore is the error of one type's learned curves against its
// true function, and the largest error of their median curve.
type TypeFunctionScore struct {
	// Type is the type's metric-key name.
	Type         string
	R2, RMSE     float64
	MedianMaxAbs float64
}

// NamedValue is a number under a name (a type's, for example).
type NamedValue struct {
	Name  string
	Value float64
}

// RolloutMetrics compares a learned and a true rollout at checkpoints.
type RolloutMetrics struct {
	Steps []RolloutStep
}

// RolloutStep is the fit of learned against true states at one step.
type RolloutStep struct {
	Step      int
	R2, Slope float64
}

// ExternalInputMetrics compares a learned input with the true one.
type ExternalInputMetrics struct {
	Scale, R2, Slope float64
	Frames           int
	// Optional numbers the caller computed (nil when not given): see
	// ExternalInput.
	PerNeuronScaleR2, TableR2, SirenFitR2 *float64
}

// TrainingMetrics summarises the training curves.
type TrainingMetrics struct {
	FinalLoss, MinLoss float64
	Points             int
	// FinalR2 is the last live R² (nil without R² values).
	FinalR2 *float64
	// Validation summarises the validation curve (nil without one).
	Validation *ValidationMetrics
	// R2Reached099 is when the live R² first reached 0.99 (nil if never,
	// or when the caller gave no times).
	R2Reached099 *Milestone
}

// ValidationMetrics summarises the validation error over epochs.
type ValidationMetrics struct {
	Final, Min float64
	// BestEpoch is the 0-based epoch of the fit kept (-1 for none).
	BestEpoch int
}

// Milestone is when training reached something: at which step, after how
// many seconds.
type Milestone struct {
	Step, Seconds float64
}

// SymbolicMetrics holds the formulas chosen by symbolic regression.
type SymbolicMetrics struct {
	Expressions []Expression
	// Note says what was left out ("" when nothing).
	Note string
}

// MarshalJSON writes the metrics as metrics.json holds them: nested groups
// by the parts of each dotted key, run, skipped and not_computed (the keys
// whose values are not finite numbers).
func (m Metrics) MarshalJSON() ([]byte, error) {
	t, err := m.tree()
	if err != nil {
		return nil, err
	}
	doc := t.snapshot()
	doc["run"] = map[string]any{
		"script":     m.Run.Script,
		"seed":       m.Run.Seed,
		"version":    m.Run.Version,
		"go_version": m.Run.GoVersion,
		"started":    m.Run.Started,
		"written":    m.Run.Written,
	}
	doc["not_computed"] = t.missing()
	skipped := map[string]string{}
	maps.Copy(skipped, m.Skipped)
	doc["skipped"] = skipped
	return json.Marshal(doc)
}

// Tree returns the metrics as nested maps by the parts of their dotted
// keys, as metrics.json holds them (non-finite numbers as nil), without
// run, skipped and not_computed.
func (m Metrics) Tree() (map[string]any, error) {
	t, err := m.tree()
	if err != nil {
		return nil, err
	}
	return t.snapshot(), nil
}

// tree lays the metrics out as the key tree of metrics.json (without run,
// skipped and not_computed): every typed section, then the custom metrics.
func (m Metrics) tree() (*metricTree, error) {
	t := newMetricTree()
	var values []metricValue
	add := func(prefix string, vs ...metricValue) {
		for _, v := range vs {
			values = append(values, metricValue{prefix + "." + v.key, v.value})
		}
	}
	if a := m.Activity; a != nil {
		add("activity", metricValue{"frames", a.Frames}, metricValue{"neurons", a.Neurons}, metricValue{"mean", a.Mean}, metricValue{"std", a.Std})
	}
	if p := m.Prediction; p != nil {
		add("prediction", metricValue{"r2", p.R2}, metricValue{"slope", p.Slope}, metricValue{"frames", p.Frames},
			metricValue{"r2_neuron_median", p.R2NeuronMedian}, metricValue{"held_out", p.HeldOut})
	}
	if c := m.Connectivity; c != nil {
		add("connectivity", metricValue{"n", c.N}, metricValue{"r2", c.R2}, metricValue{"r2_identity", c.R2Identity},
			metricValue{"slope", c.Slope}, metricValue{"intercept", c.Intercept})
		if c.Raw != nil {
			add("connectivity", metricValue{"raw_r2", c.Raw.R2}, metricValue{"raw_slope", c.Raw.Slope})
		}
		if c.Baseline != nil {
			add("connectivity", metricValue{"ls_baseline_r2", c.Baseline.R2}, metricValue{"ls_baseline_slope", c.Baseline.Slope})
		}
		if c.BaselineNote != "" {
			add("connectivity", metricValue{"ls_baseline_note", c.BaselineNote})
		}
	}
	if c := m.LearnedConnectivity; c != nil {
		add("connectivity", metricValue{"n", c.N}, metricValue{"mean", c.Mean}, metricValue{"std", c.Std},
			metricValue{"abs_max", c.AbsMax}, metricValue{"quantiles", c.Quantiles})
	}
	if e := m.Edges; e != nil {
		add("edges", metricValue{"true_edges", e.TrueEdges}, metricValue{"entries", e.Entries}, metricValue{"fill", e.Fill},
			metricValue{"threshold", e.Threshold}, metricValue{"rule", e.Rule}, metricValue{"predicted", e.Predicted},
			metricValue{"precision", e.Precision}, metricValue{"recall", e.Recall}, metricValue{"f1", e.F1},
			metricValue{"sign_accuracy", e.SignAccuracy}, metricValue{"auprc", e.AUPRC}, metricValue{"auprc_chance", e.AUPRCChance},
			metricValue{"precision_at_true_count", e.PrecisionAtTrueCount})
		if e.Warning != "" {
			add("edges", metricValue{"warning", e.Warning})
		}
	}
	if ty := m.Types; ty != nil {
		if ty.Warning != "" {
			add("types", metricValue{"warning", ty.Warning})
		}
		if ty.Clusters > 0 {
			add("types", metricValue{"clusters", ty.Clusters})
		}
		if ty.Score != nil {
			add("types", metricValue{"accuracy", ty.Score.Accuracy}, metricValue{"ari", ty.Score.ARI})
		}
	}
	for _, name := range sortedKeys(m.Functions) {
		f := m.Functions[name]
		if f == nil {
			continue
		}
		prefix := "functions." + name
		for _, s := range f.ByType {
			add(prefix, metricValue{s.Type + ".r2", s.R2}, metricValue{s.Type + ".rmse", s.RMSE}, metricValue{s.Type + ".median_max_abs", s.MedianMaxAbs})
		}
		if f.HasScores {
			add(prefix, metricValue{"r2", f.R2}, metricValue{"rmse", f.RMSE})
		}
		if f.Curves > 0 {
			add(prefix, metricValue{"curves", f.Curves})
		}
		for _, v := range f.R2ByType {
			add(prefix+"_r2", metricValue{v.Name, v.Value})
		}
		for _, v := range f.Scales {
			add(prefix+"_scale", metricValue{v.Name, v.Value})
		}
	}
	for _, ro := range []struct {
		name string
		m    *RolloutMetrics
	}{{"rollout", m.Rollout}, {"transfer", m.Transfer}} {
		if ro.m == nil {
			continue
		}
		for _, s := range ro.m.Steps {
			key := fmt.Sprintf("step%d", s.Step)
			add(ro.name, metricValue{key + ".r2", s.R2}, metricValue{key + ".slope", s.Slope})
		}
	}
	if e := m.ExternalInput; e != nil {
		add("external_input", metricValue{"scale", e.Scale}, metricValue{"r2", e.R2}, metricValue{"slope", e.Slope}, metricValue{"frames", e.Frames})
		for _, o := range []struct {
			key string
			v   *float64
		}{{"r2_per_neuron_scale", e.PerNeuronScaleR2}, {"table_r2", e.TableR2}, {"siren_fit_r2", e.SirenFitR2}} {
			if o.v != nil {
				add("external_input", metricValue{o.key, *o.v})
			}
		}
	}
	if tr := m.Training; tr != nil {
		add("training", metricValue{"final_loss", tr.FinalLoss}, metricValue{"min_loss", tr.MinLoss}, metricValue{"points", tr.Points})
		if tr.FinalR2 != nil {
			add("training", metricValue{"final_r2", *tr.FinalR2})
		}
		if v := tr.Validation; v != nil {
			add("training", metricValue{"final_validation", v.Final}, metricValue{"min_validation", v.Min}, metricValue{"best_epoch", float64(v.BestEpoch)})
		}
		if s := tr.R2Reached099; s != nil {
			add("training", metricValue{"steps_to_r2_099", s.Step}, metricValue{"seconds_to_r2_099", s.Seconds})
		}
	}
	if s := m.Symbolic; s != nil {
		if s.Note != "" {
			values = append(values, metricValue{"symbolic_note", s.Note})
		}
		for _, e := range s.Expressions {
			key := e.metricKey()
			next, nextLoss := []string{}, []float64{}
			for _, a := range e.Next {
				next = append(next, a.Expr)
				nextLoss = append(nextLoss, math.Sqrt(a.Loss))
			}
			add("symbolic", metricValue{key, e.Expr})
			add("symbolic_fit."+key, metricValue{"rmse", math.Sqrt(e.Loss)}, metricValue{"r2", e.R2},
				metricValue{"complexity", e.Complexity}, metricValue{"learned_rmse", e.LearnedError},
				metricValue{"selected", e.Selected}, metricValue{"type", e.Type},
				metricValue{"expected", e.Expected}, metricValue{"next", next}, metricValue{"next_rmse", nextLoss})
		}
	}
	for _, k := range sortedKeys(m.Timing) {
		values = append(values, metricValue{"timing." + k, m.Timing[k]})
	}
	for _, v := range values {
		if err := t.set(v.key, v.value); err != nil {
			return nil, err
		}
	}
	custom := &metricTree{root: m.Custom}
	for _, kv := range custom.flatten() {
		if err := t.set(kv[0].(string), kv[1]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// metricKey is the key of an expression's formula under symbolic:
// the function's name, or <function>.cluster<k> for a cluster's.
func (e Expression) metricKey() string {
	if e.Cluster >= 0 {
		return fmt.Sprintf("%s.cluster%d", e.Function, e.Cluster)
	}
	return e.Function
}

// clone copies the metrics deeply enough that changing a section or a map
// entry of the copy leaves the original as it was.
func (m Metrics) clone() Metrics {
	out := m
	out.Timing = maps.Clone(m.Timing)
	out.Functions = maps.Clone(m.Functions)
	out.Skipped = maps.Clone(m.Skipped)
	if m.Custom != nil {
		out.Custom = deepCopy(m.Custom)
	}
	return out
}

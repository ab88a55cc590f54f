package report

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// The typed metrics of a closed report marshal to exactly the document
// metrics.json holds, and hold the numbers the sections wrote.
func TestMetricsMarshalToMetricsJSON(t *testing.T) {
	dir, s := closeFull(t)
	m := shared.report.Metrics()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := readMetrics(t, dir)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("json.Marshal(Metrics()) differs from metrics.json:\n%s\n%s", data, mustJSON(t, want))
	}
	if m.Connectivity == nil || m.Types == nil || m.Types.Score == nil || m.Functions["phi"] == nil || m.Rollout == nil || m.Symbolic == nil {
		t.Fatalf("expected connectivity, types, functions.phi, rollout and symbolic metrics, found %+v", m)
	}
	if v, _ := lookup(want, "connectivity.r2"); v != m.Connectivity.R2 {
		t.Errorf("Connectivity.R2 = %v, metrics.json has %v", m.Connectivity.R2, v)
	}
	if m.Types.Clusters != 4 || math.Abs(m.Types.Score.Accuracy-0.975) > 1e-12 {
		t.Errorf("types: expected 4 clusters at accuracy 0.975, found %d and %v", m.Types.Clusters, m.Types.Score.Accuracy)
	}
	if len(m.Symbolic.Expressions) != len(s.symbolic) || m.Timing["simulate_s"] != 1.5 || m.Run.Seed != 42 || m.Run.Written == "" {
		t.Errorf("expected %d formulas, simulate_s 1.5, seed 42 and a written time, found %d, %v, %d, %q",
			len(s.symbolic), len(m.Symbolic.Expressions), m.Timing["simulate_s"], m.Run.Seed, m.Run.Written)
	}
}

// A section whose metrics would clash with a custom metric's key is
// skipped with the reason, and the metrics stay as they were.
func TestSectionClashingWithCustomMetricIsSkipped(t *testing.T) {
	r := New(t.TempDir(), Meta{})
	if err := r.Set("activity.mean.x", 1); err != nil {
		t.Fatal(err)
	}
	err := r.AddActivity(Activity{U: []float32{1, 2, 3, 4}, Frames: 2, Neurons: 2})
	if err == nil {
		t.Fatal("expected an error: activity.mean is a group of custom metrics")
	}
	m := r.Metrics()
	if m.Activity != nil || m.Skipped["activity"] == "" {
		t.Errorf("expected no activity metrics and a skipped section, found %+v and %q", m.Activity, m.Skipped["activity"])
	}
	if v, ok := r.Value("activity.mean.x"); !ok || v != 1 {
		t.Errorf("the custom metric should stay, found %v", v)
	}
}

// Optional numbers are written only when given, and a non-finite one is
// null and listed as not computed.
func TestOptionalMetricsWrittenWhenGiven(t *testing.T) {
	r := New(t.TempDir(), Meta{})
	tr := Training{Loss: []float64{3, 2, 1}, R2: []float64{0.5, 0.995, 0.999}, R2At: []float64{10, 20, 30}, R2Seconds: []float64{1, 2, 3}}
	if err := r.AddTraining(tr); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Value("training.steps_to_r2_099"); v != 20.0 {
		t.Errorf("training.steps_to_r2_099: expected 20, found %v", v)
	}
	if v, _ := r.Value("training.seconds_to_r2_099"); v != 2.0 {
		t.Errorf("training.seconds_to_r2_099: expected 2, found %v", v)
	}
	if _, ok := r.Value("training.best_epoch"); ok {
		t.Error("training.best_epoch: expected none without validation")
	}
	nan := math.NaN()
	e := ExternalInput{True: []float32{1, 2, 3, 4}, Learned: []float32{1, 2, 3, 4}, Frames: 2, Width: 2, Height: 1, TableR2: &nan}
	if err := r.AddExternalInput(e); err != nil {
		t.Fatal(err)
	}
	if v, ok := r.Value("external_input.table_r2"); !ok || v != nil {
		t.Errorf("external_input.table_r2: expected null, found %v (present %v)", v, ok)
	}
	if _, ok := r.Value("external_input.siren_fit_r2"); ok {
		t.Error("external_input.siren_fit_r2: expected none when not given")
	}
	data, err := json.Marshal(r.Metrics())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if nc, _ := doc["not_computed"].([]any); len(nc) != 1 || nc[0] != "external_input.table_r2" {
		t.Errorf("not_computed: expected [external_input.table_r2], found %v", doc["not_computed"])
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

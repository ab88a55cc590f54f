// Package report turns the results of an ngs experiment into files a person
// can read: PNG plots, a nested metrics.json and a report.md that shows every
// plot inline with its numbers in tables.
//
// The package takes plain Go data (float32 slices in row-major order and small
// structs) and knows nothing of the language, the simulator or the GNN: the
// caller fills the section structs and calls one Add method per section.
// Each section's numbers go into a typed Metrics (Report.Metrics), which
// report.md renders and metrics.json serialises (Metrics.MarshalJSON).
// Nothing is written until Close, which writes every file through a temporary
// name and a rename, report.md last, so a failed report never leaves a file
// that looks complete.
package report

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

// Meta describes the run a report belongs to.
type Meta struct {
	// Script is the name of the experiment script.
	Script string
	// Seed is the run's random seed.
	Seed int64
	// Version is the ngs version string.
	Version string
	// GoVersion is the Go toolchain version; runtime.Version() when empty.
	GoVersion string
	// Start is when the run started; Close derives timing.total_s from it
	// when Timings has no "total" entry.
	Start time.Time
	// Timings holds durations in seconds by phase ("simulate", "train",
	// "total", …); each becomes metrics key timing.<name>_s.
	Timings map[string]float64
}

// Report collects sections, plots and metrics and writes them on Close.
// Its methods are safe for concurrent use.
type Report struct {
	mu   sync.Mutex
	dir  string
	meta Meta
	// results holds the typed metrics of the sections added so far (its
	// Custom field stays nil); custom holds the metrics set with Set and
	// AddTable.
	results  Metrics
	custom   *metricTree
	sections []*section
	images   []outputFile
	closed   bool
	// written is when Close wrote metrics.json (RFC 3339, "" before).
	written string
	// summary keeps the inputs of the summary figure's panels.
	summary summaryInputs
}

// section is one part of report.md: a title, its figures, a table of numbers
// and free notes, or the reason it could not be computed.
type section struct {
	key        string
	title      string
	figures    []figureRef
	table      [][2]string
	notes      []string
	skipReason string
}

// figureRef names one PNG of a section and says what it shows.
type figureRef struct {
	file    string
	caption string
}

// outputFile is one rendered file waiting to be written by Close.
type outputFile struct {
	file string
	data []byte
}

// New starts a report that Close will write into dir (created if missing).
func New(dir string, meta Meta) *Report {
	if meta.GoVersion == "" {
		meta.GoVersion = runtime.Version()
	}
	return &Report{dir: dir, meta: meta, custom: newMetricTree()}
}

// Dir returns the directory the report is written to.
func (r *Report) Dir() string { return r.dir }

// Set records a custom metric under a dotted key such as
// "sweep.best_lr", for results that no section's typed metrics hold.
// Values may be numbers, strings, booleans or slices of them. NaN and ±Inf
// are written as null and the key is listed under "not_computed". A key
// that would turn an existing value into a group, or a group into a value,
// is an error.
func (r *Report) Set(key string, value any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.treeLocked()
	if err != nil {
		return err
	}
	if err := t.set(key, value); err != nil {
		return err
	}
	return r.custom.set(key, value)
}

// setCustom records several custom metrics under one prefix, all or none:
// it checks them together with every metric already stored first.
func (r *Report) setCustom(prefix string, values []metricValue) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.treeLocked()
	if err != nil {
		return err
	}
	for _, v := range values {
		if err := t.set(prefix+"."+v.key, v.value); err != nil {
			return err
		}
	}
	for _, v := range values {
		if err := r.custom.set(prefix+"."+v.key, v.value); err != nil {
			return err
		}
	}
	return nil
}

// Value returns the metric stored under a dotted key of metrics.json (a
// nested map[string]any for an inner key) and whether it exists.
func (r *Report) Value(key string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.treeLocked()
	if err != nil {
		return nil, false
	}
	return t.get(key)
}

// Metrics returns a copy of the typed metrics of every section added so
// far, with the run description, the skipped sections and the custom
// metrics; json.Marshal of it gives metrics.json.
func (r *Report) Metrics() Metrics {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metricsLocked(r.written)
}

// metricsLocked assembles the typed metrics with the run description
// (written: the time metrics.json is written, "" before); the caller holds
// r.mu.
func (r *Report) metricsLocked(written string) Metrics {
	m := r.results.clone()
	m.Run = RunInfo{Script: r.meta.Script, Seed: r.meta.Seed, Version: r.meta.Version, GoVersion: r.meta.GoVersion,
		Started: formatTime(r.meta.Start), Written: written}
	m.Skipped = map[string]string{}
	for _, s := range r.sections {
		if s.skipReason != "" {
			m.Skipped[s.key] = s.skipReason
		}
	}
	m.Custom = deepCopy(r.custom.root)
	return m
}

// treeLocked lays out the typed and custom metrics as one key tree; the
// caller holds r.mu. Every change is checked when it is made (store, Set),
// so this fails only if that check was bypassed.
func (r *Report) treeLocked() (*metricTree, error) {
	m := r.results
	m.Custom = r.custom.root
	return m.tree()
}

// store applies change to a copy of the typed metrics and keeps the copy
// when the metrics still lay out as one key tree together with the custom
// ones; otherwise it lists the section as skipped with the error and
// returns it.
func (r *Report) store(sectionName string, change func(*Metrics)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := r.results.clone()
	if next.Functions == nil {
		next.Functions = map[string]*FunctionMetrics{}
	}
	change(&next)
	next.Custom = r.custom.root
	if _, err := next.tree(); err != nil {
		r.skipLocked(sectionName, err.Error())
		return err
	}
	next.Custom = nil
	r.results = next
	return nil
}

// Skip lists a section that could not be computed, with the reason; report.md
// shows it and metrics.json lists it under "skipped". Skipping a section
// again replaces the reason.
func (r *Report) Skip(sectionName, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipLocked(sectionName, reason)
}

func (r *Report) skipLocked(sectionName, reason string) {
	if reason == "" {
		reason = "no reason given"
	}
	for _, s := range r.sections {
		if s.key == sectionName {
			s.skipReason = reason
			s.figures, s.table = nil, nil
			return
		}
	}
	r.sections = append(r.sections, &section{key: sectionName, title: sectionName, skipReason: reason})
}

// setSectionLocked stores a section, replacing one with the same key; the
// caller holds r.mu.
func (r *Report) setSectionLocked(s *section) {
	for i, old := range r.sections {
		if old.key == s.key {
			r.sections[i] = s
			return
		}
	}
	r.sections = append(r.sections, s)
}

// addSection stores a finished section and its images, replacing an earlier
// section with the same key.
func (r *Report) addSection(s *section, imgs []outputFile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.sections {
		if old.key == s.key {
			r.sections[i] = s
			r.addImagesLocked(imgs)
			return
		}
	}
	r.sections = append(r.sections, s)
	r.addImagesLocked(imgs)
}

func (r *Report) addImagesLocked(imgs []outputFile) {
	for _, im := range imgs {
		replaced := false
		for i := range r.images {
			if r.images[i].file == im.file {
				r.images[i] = im
				replaced = true
			}
		}
		if !replaced {
			r.images = append(r.images, im)
		}
	}
}

// fail records that a section's Add call failed and returns err: the section
// is listed as skipped with the error as reason, never silently dropped.
func (r *Report) fail(sectionName string, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipLocked(sectionName, err.Error())
	return err
}

// metricValue is one (key, value) pair of the metric tree.
type metricValue struct {
	key   string
	value any
}

// timings returns the run's timings in seconds by metric name
// ("<phase>_s"), adding total_s from meta.Start when the caller gave none.
func (r *Report) timings(now time.Time) map[string]float64 {
	out := make(map[string]float64, len(r.meta.Timings)+1)
	for _, name := range sortedKeys(r.meta.Timings) {
		key, seconds := name, r.meta.Timings[name]
		if len(key) < 2 || key[len(key)-2:] != "_s" {
			key += "_s"
		}
		out[key] = seconds
	}
	if _, ok := out["total_s"]; !ok && !r.meta.Start.IsZero() {
		out["total_s"] = now.Sub(r.meta.Start).Seconds()
	}
	return out
}

// checkLengths returns an error unless a slice has exactly want entries.
func checkLengths(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: expected %d values, found %d", what, want, got)
	}
	return nil
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// nan returns a NaN, the value of a metric that could not be computed.
func nan() float64 { return math.NaN() }

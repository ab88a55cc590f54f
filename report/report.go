// Package report turns the results of an ngs experiment into files a person
// can read: PNG plots, a nested metrics.json and a report.md that shows every
// plot inline with its numbers in tables.
//
// The package takes plain Go data (float32 slices in row-major order and small
// structs) and knows nothing of the language, the simulator or the GNN: the
// caller fills the section structs and calls one Add method per section.
// Nothing is written until Close, which writes every file through a temporary
// name and a rename, report.md last, so a failed report never leaves a file
// that looks complete.
package report

import (
	"fmt"
	"math"
	"runtime"
	"sort"
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
	mu       sync.Mutex
	dir      string
	meta     Meta
	metrics  *metricTree
	sections []*section
	images   []outputFile
	closed   bool
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
	return &Report{dir: dir, meta: meta, metrics: newMetricTree()}
}

// Dir returns the directory the report is written to.
func (r *Report) Dir() string { return r.dir }

// Set records a metric under a dotted key such as "connectivity.r2".
// Values may be numbers, strings, booleans or slices of them. NaN and ±Inf
// are written as null and the key is listed under "not_computed".
func (r *Report) Set(key string, value any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metrics.set(key, value)
}

// Value returns the metric stored under a dotted key (a nested
// map[string]any for an inner key) and whether it exists.
func (r *Report) Value(key string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metrics.get(key)
}

// Metrics returns a deep copy of every metric as nested maps, exactly as
// metrics.json will hold them (non-finite numbers as nil).
func (r *Report) Metrics() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metrics.snapshot()
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

// setAll records several metrics under one prefix; it stops at the first
// invalid key or value.
func (r *Report) setAll(prefix string, values []metricValue) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if err := r.metrics.set(prefix+"."+v.key, v.value); err != nil {
			return err
		}
	}
	return nil
}

// metricValue is one (relative key, value) pair for setAll.
type metricValue struct {
	key   string
	value any
}

// timings returns the run's timings as metric pairs, adding total from
// meta.Start when the caller gave none.
func (r *Report) timings(now time.Time) []metricValue {
	names := make([]string, 0, len(r.meta.Timings))
	for name := range r.meta.Timings {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []metricValue
	hasTotal := false
	for _, name := range names {
		key := name
		if len(key) < 2 || key[len(key)-2:] != "_s" {
			key += "_s"
		}
		hasTotal = hasTotal || key == "total_s"
		out = append(out, metricValue{key, r.meta.Timings[name]})
	}
	if !hasTotal && !r.meta.Start.IsZero() {
		out = append(out, metricValue{"total_s", now.Sub(r.meta.Start).Seconds()})
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

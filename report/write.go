package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// MetricsFile and MarkdownFile are the names Close writes inside the report
// directory, besides the PNG files of the sections, the summary figure and
// HTMLFile.
const (
	MetricsFile  = "metrics.json"
	MarkdownFile = "report.md"
)

// Close writes every PNG (and the summary figure as PNG and SVG when at
// least two of its panels have data), then metrics.json, report.html and
// report.md into the report directory, each through a temporary file and a
// rename. On error nothing new
// that looks complete is left behind (report.md is only renamed into place
// once everything else is) and the report may be closed again after the cause
// is fixed. Closing a closed report is an error.
func (r *Report) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("report %q: already closed", r.dir)
	}
	now := time.Now()
	r.results.Timing = r.timings(now)
	images := append([]outputFile(nil), r.images...)
	if r.summary.panels() >= 2 {
		png, svg, err := r.summaryFigure()
		if err != nil {
			r.skipLocked("summary", err.Error())
		} else {
			images = append(images, outputFile{SummaryPNG, png}, outputFile{SummarySVG, svg})
			r.setSectionLocked(&section{key: "summary", title: "Summary figure", figures: []figureRef{{SummaryPNG, summaryCaption}}})
		}
	}
	metrics := r.metricsLocked(now.UTC().Format(time.RFC3339))
	tree, err := metrics.tree()
	if err != nil {
		return fmt.Errorf("report %q: %v", r.dir, err)
	}
	metricsJSON, err := json.MarshalIndent(metrics, "", "  ")
	if err != nil {
		return fmt.Errorf("report %q: encoding %s: %v", r.dir, MetricsFile, err)
	}
	metricsJSON = append(metricsJSON, '\n')
	md := r.markdown(now, tree)
	byName := make(map[string][]byte, len(images))
	for _, im := range images {
		byName[im.file] = im.data
	}
	title := "Report: " + r.meta.Script
	if r.meta.Script == "" {
		title = "Report: ngs run"
	}
	files := make([]outputFile, 0, len(images)+3)
	files = append(files, images...)
	files = append(files, outputFile{MetricsFile, metricsJSON}, outputFile{HTMLFile, htmlReport(title, md, byName)}, outputFile{MarkdownFile, md})
	if err := writeAllAtomically(r.dir, files); err != nil {
		return err
	}
	r.closed, r.written = true, metrics.Run.Written
	return nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// writeAllAtomically writes every file to a temporary name in dir, then
// renames them into place in order. On failure it removes the temporaries and
// any file it already renamed, and returns an error naming the path.
func writeAllAtomically(dir string, files []outputFile) error {
	if dir == "" {
		return errors.New("report: expected an output directory, found an empty path")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: cannot create directory %q: %v", dir, err)
	}
	temps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		tmp, err := writeTemp(dir, f)
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		final := filepath.Join(dir, f.file)
		if err := os.Rename(temps[i], final); err != nil {
			cleanup()
			for _, done := range files[:i] {
				os.Remove(filepath.Join(dir, done.file))
			}
			return fmt.Errorf("report: cannot write %q: %v", final, err)
		}
	}
	return nil
}

// writeTemp writes one file's bytes to a fresh hidden temporary in dir.
func writeTemp(dir string, f outputFile) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.file+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("report: cannot write into directory %q: %v", dir, err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(f.data)
	merr := tmp.Chmod(0o644)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("report: cannot write %q: %v", filepath.Join(dir, f.file), err)
	}
	return name, nil
}

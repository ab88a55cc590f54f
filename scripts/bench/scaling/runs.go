package main

import (
	"fmt"
	"io"
	"os"

	"github.com/ngs-lab/ngs/report"
)

// runRow is one end-to-end run (scripts/supp11_n8000.ngs at one N): its
// simulation, the training until R² 0.99 (or until it stopped), the
// process's wall time and peak memory.
type runRow struct {
	n, frames, simS, steps, trainS, r2, wallS, rssKB float64
}

// runColumns are the fields of the runs file, in order. steps and train_s
// count up to the step at which the live W R² first reached 0.99, or the
// whole training where it never did (r2 then says where it got).
var runColumns = []string{"N", "frames", "sim_s", "steps", "train_s", "r2", "wall_s", "peak_rss_kb"}

func readRuns(r io.Reader, name string) ([]runRow, error) {
	vals, err := readTSV(r, name, runColumns)
	if err != nil {
		return nil, err
	}
	rows := make([]runRow, len(vals))
	for k, v := range vals {
		rows[k] = runRow{n: v[0], frames: v[1], simS: v[2], steps: v[3], trainS: v[4], r2: v[5], wallS: v[6], rssKB: v[7]}
	}
	return rows, nil
}

// reached says whether the run's live R² got to 0.99.
func (r runRow) reached() bool { return r.r2 >= 0.99 }

// runsTable writes the end-to-end table with growth exponents in N (the
// time to R² 0.99 over the runs that reached it).
func runsTable(w io.Writer, rows []runRow) {
	fmt.Fprintln(w, "| N | frames | simulation (ms/frame) | training step (ms, mean) | steps to R² 0.99 | training time to R² 0.99 | wall (min) | peak RSS (GB) |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|")
	var reached []runRow
	for _, r := range rows {
		steps, train := fmt.Sprintf("%.0f", r.steps), clock(r.trainS)
		if r.reached() {
			reached = append(reached, r)
		} else {
			steps, train = fmt.Sprintf("not reached (R² %.3f after %.0f)", r.r2, r.steps), fmt.Sprintf("> %s", clock(r.trainS))
		}
		fmt.Fprintf(w, "| %.0f | %.0f | %.3g | %.3g | %s | %s | %.1f | %.2f |\n", r.n, r.frames, 1e3*r.simS/r.frames, 1e3*r.trainS/r.steps,
			steps, train, r.wallS/60, r.rssKB*1024/1e9)
	}
	ex := func(rs []runRow, f func(runRow) float64) string {
		var ns, ys []float64
		for _, r := range rs {
			ns, ys = append(ns, r.n), append(ys, f(r))
		}
		return fmt.Sprintf("N^%.2f", growth(ns, ys))
	}
	fmt.Fprintf(w, "| growth | | %s | %s | %s | %s | | %s |\n",
		ex(rows, func(r runRow) float64 { return r.simS / r.frames }), ex(rows, func(r runRow) float64 { return r.trainS / r.steps }),
		ex(reached, func(r runRow) float64 { return r.steps }), ex(reached, func(r runRow) float64 { return r.trainS }),
		ex(rows, func(r runRow) float64 { return r.rssKB }))
}

// runsPlot draws the end-to-end costs against N on log-log axes.
func runsPlot(path string, rows []runRow) error {
	series := []report.Series{{Name: "simulation (ms/frame)"}, {Name: "training step (ms)"}, {Name: "training to R² 0.99 (s; reached only)"}, {Name: "peak RSS (100 MB)"}}
	for _, r := range rows {
		add := func(k int, v float64) {
			series[k].X = append(series[k].X, r.n)
			series[k].Y = append(series[k].Y, v)
		}
		add(0, 1e3*r.simS/r.frames)
		add(1, 1e3*r.trainS/r.steps)
		if r.reached() {
			add(2, r.trainS)
		}
		add(3, r.rssKB*1024/1e8)
	}
	png, err := report.LogLogPNG("ngs end to end: Supp 11's network at N neurons", "neurons N", "ms, s or 100 MB", series, 900, 650)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// runsMain reads the runs file in, prints its table and draws png (if set).
func runsMain(in, png string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readRuns(f, in)
	if err != nil {
		return err
	}
	runsTable(os.Stdout, rows)
	if png != "" {
		return runsPlot(png, rows)
	}
	return nil
}

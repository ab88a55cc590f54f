// Command scaling turns the raw numbers of scripts/bench/scaling.sh
// (results.tsv: one row per network size) into a Markdown table with the
// growth exponent of every cost in N, an estimate of a full run at the
// largest size from the measured per-step costs, and a log-log plot; with
// -runs, it does the same for end-to-end runs (runs.tsv: one Supp 11 run
// per size, with its time to W R² 0.99).
//
//	scaling -in results.tsv -png scaling.png > table.md
//	scaling -runs runs.tsv -png runs.png > runs.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/ngs-lab/ngs/report"
)

// row is one network size's measurements.
type row struct {
	n                                          float64
	simMs, warmMs, altMs, gramMs, solveS, wall float64
	gramFrames, rssKB, frames, steps, cpu      float64
}

// columns are the fields of results.tsv, in order.
var columns = []string{"N", "sim_ms_frame", "warmup_ms_step", "alt_ms_step", "gram_ms_frame", "gram_frames", "solve_s", "wall_s", "peak_rss_kb", "frames", "steps", "cpu_s"}

func readRows(r io.Reader, name string) ([]row, error) {
	vals, err := readTSV(r, name, columns)
	if err != nil {
		return nil, err
	}
	rows := make([]row, len(vals))
	for k, v := range vals {
		rows[k] = row{n: v[0], simMs: v[1], warmMs: v[2], altMs: v[3], gramMs: v[4], gramFrames: v[5], solveS: v[6],
			wall: v[7], rssKB: v[8], frames: v[9], steps: v[10], cpu: v[11]}
	}
	return rows, nil
}

// readTSV reads a tab-separated file whose first line is exactly the
// header cols and whose other lines (blank ones and # comments skipped)
// are numbers ≥ 0, one per column; name is the file's name in errors.
func readTSV(r io.Reader, name string, cols []string) ([][]float64, error) {
	sc := bufio.NewScanner(r)
	var rows [][]float64
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			if text != strings.Join(cols, "\t") {
				return nil, fmt.Errorf("%s:1: header %q, expected %q", name, sc.Text(), strings.Join(cols, "\t"))
			}
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != len(cols) {
			return nil, fmt.Errorf("%s:%d: %d fields, expected %d (%s)", name, line, len(fields), len(cols), strings.Join(cols, ", "))
		}
		v := make([]float64, len(fields))
		for k, f := range fields {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil || math.IsNaN(x) || x < 0 {
				return nil, fmt.Errorf("%s:%d: field %s: %q is not a number ≥ 0", name, line, cols[k], f)
			}
			v[k] = x
		}
		rows = append(rows, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return rows, nil
}

// exponent is the least-squares slope of log y against log N: a cost that
// grows as N^p has exponent p.
func exponent(rows []row, y func(row) float64) float64 {
	var ns, ys []float64
	for _, r := range rows {
		ns, ys = append(ns, r.n), append(ys, y(r))
	}
	return growth(ns, ys)
}

// growth is the least-squares slope of log y against log n over the pairs
// where both are positive (NaN with fewer than two).
func growth(n, y []float64) float64 {
	var sx, sy, sxx, sxy, k float64
	for i := range n {
		if n[i] <= 0 || y[i] <= 0 {
			continue
		}
		lx, ly := math.Log(n[i]), math.Log(y[i])
		sx, sy, sxx, sxy, k = sx+lx, sy+ly, sxx+lx*lx, sxy+lx*ly, k+1
	}
	if k < 2 || sxx*k-sx*sx == 0 {
		return math.NaN()
	}
	return (k*sxy - sx*sy) / (k*sxx - sx*sx)
}

// cores is the development machine's core count, for the idle estimate.
const cores = 2

// run is a full training run's schedule, for the estimate.
type run struct {
	frames, burnin, epochs, steps, warmup, solveEvery int
	validation                                        float64
}

// estimate returns the seconds of each part of a full run at r's size from
// its per-step costs: the simulation, the warm-up and alternating steps,
// the periodic solves (Gram matrix over min(max(10·N, 10,000), training
// frames) frames, then the solve) and one final solve over every training
// frame.
func estimate(r row, p run) (parts []string, secs []float64) {
	train := float64(p.frames) * (1 - p.validation)
	total := float64(p.epochs * p.steps)
	warm := math.Min(float64(p.warmup), total)
	solves := math.Floor((total - warm) / float64(p.solveEvery))
	gram := math.Min(math.Max(10*r.n, 10000), train)
	parts = []string{
		fmt.Sprintf("simulation (%d frames)", p.frames+p.burnin),
		fmt.Sprintf("warm-up steps (%.0f)", warm),
		fmt.Sprintf("alternating steps (%.0f)", total-warm),
		fmt.Sprintf("periodic solves (%.0f, Gram over %.0f frames each)", solves, gram),
		fmt.Sprintf("final solve (Gram over %.0f frames)", train),
	}
	secs = []float64{
		float64(p.frames+p.burnin) * r.simMs / 1e3,
		warm * r.warmMs / 1e3,
		(total - warm) * r.altMs / 1e3,
		solves * (gram*r.gramMs/1e3 + r.solveS),
		train*r.gramMs/1e3 + r.solveS,
	}
	return parts, secs
}

func clock(s float64) string {
	if s < 120 {
		return fmt.Sprintf("%.0f s", s)
	}
	if s < 2*3600 {
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// fillSolves extrapolates the solve time of rows that did not measure it
// (0) from the fit of those that did, as c·N^p; it returns the rows filled.
func fillSolves(rows []row) (filled []int, p float64) {
	var measured []row
	for _, r := range rows {
		if r.solveS > 0 {
			measured = append(measured, r)
		}
	}
	p = exponent(measured, func(r row) float64 { return r.solveS })
	if math.IsNaN(p) {
		return nil, p
	}
	ref := measured[len(measured)-1]
	for k := range rows {
		if rows[k].solveS == 0 {
			rows[k].solveS = ref.solveS * math.Pow(rows[k].n/ref.n, p)
			filled = append(filled, k)
		}
	}
	return filled, p
}

func table(w io.Writer, rows []row, p run) {
	measured := append([]row(nil), rows...)
	rows = append([]row(nil), rows...)
	filled, solveExp := fillSolves(rows)
	mark := map[int]string{}
	for _, k := range filled {
		mark[k] = "*"
	}
	fmt.Fprintln(w, "| N | simulation (ms/frame) | warm-up step (ms) | alternating step (ms) | Gram matrix (ms/frame) | rest of a solve: tables, Cholesky (s) | one default solve (s) | wall (s) | CPU (s) | peak RSS (GB) | frames, steps measured |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for k, r := range rows {
		gram := math.Min(math.Max(10*r.n, 10000), float64(p.frames)*(1-p.validation))
		fmt.Fprintf(w, "| %.0f | %.3g | %.3g | %.3g | %.3g | %.3g%s | %.3g%s | %.0f | %.0f | %.2f | %.0f frames, %.0f + %.0f steps, Gram over %.0f |\n",
			r.n, r.simMs, r.warmMs, r.altMs, r.gramMs, r.solveS, mark[k], gram*r.gramMs/1e3+r.solveS, mark[k], r.wall, r.cpu, r.rssKB*1024/1e9, r.frames, r.steps, r.steps, r.gramFrames)
	}
	ex := func(f func(row) float64) string { return fmt.Sprintf("N^%.2f", exponent(rows, f)) }
	fmt.Fprintf(w, "| growth | %s | %s | %s | %s | %s | | | | %s | |\n",
		ex(func(r row) float64 { return r.simMs }), ex(func(r row) float64 { return r.warmMs }), ex(func(r row) float64 { return r.altMs }),
		ex(func(r row) float64 { return r.gramMs }), fmt.Sprintf("N^%.2f", exponent(measured, func(r row) float64 { return r.solveS })),
		ex(func(r row) float64 { return r.rssKB }))
	if len(filled) > 0 {
		fmt.Fprintf(w, "\n\\* not measured: extrapolated as N^%.2f from the sizes that measured it (the growth row's exponent is over those).\n", solveExp)
	}
	last := rows[len(rows)-1]
	parts, secs := estimate(last, p)
	total := 0.0
	fmt.Fprintf(w, "\nEstimated full run at N = %.0f (T = %d frames, %d epochs of %d steps, %d warm-up steps, a solve every %d steps), from the measured per-step costs:\n\n",
		last.n, p.frames, p.epochs, p.steps, p.warmup, p.solveEvery)
	fmt.Fprintln(w, "| part | estimate |")
	fmt.Fprintln(w, "|---|---:|")
	for k := range parts {
		fmt.Fprintf(w, "| %s | %s |\n", parts[k], clock(secs[k]))
		total += secs[k]
	}
	fmt.Fprintf(w, "| **total** | **%s** |\n", clock(total))
	if last.wall > 0 && last.cpu > 0 {
		busy := last.cpu / (cores * last.wall)
		fmt.Fprintf(w, "\nThe N = %.0f process used %.0f s of CPU in %.0f s of wall time: %.0f %% of %d cores. On an idle %d-core machine at the same CPU cost the total would be about %s.\n",
			last.n, last.cpu, last.wall, 100*busy, cores, cores, clock(total*math.Min(busy, 1)))
	}
}

func plot(path string, rows []row) error {
	var x []float64
	series := []report.Series{{Name: "simulation (ms/frame)"}, {Name: "warm-up step (ms)"}, {Name: "alternating step (ms)"},
		{Name: "Gram matrix (ms/frame)"}, {Name: "rest of a solve (ms)"}, {Name: "peak RSS (MB)"}}
	for _, r := range rows {
		x = append(x, r.n)
		for k, v := range []float64{r.simMs, r.warmMs, r.altMs, r.gramMs, r.solveS * 1e3, r.rssKB * 1024 / 1e6} {
			series[k].Y = append(series[k].Y, v)
		}
	}
	for k := range series {
		series[k].X = x
	}
	png, err := report.LogLogPNG("ngs scaling: cost against N", "neurons N", "milliseconds (times) or MB (peak RSS)", series, 900, 650)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

func main() {
	in := flag.String("in", "results.tsv", "the results of scripts/bench/scaling.sh")
	png := flag.String("png", "", "write the log-log plot to this PNG file")
	runs := flag.String("runs", "", "instead: the end-to-end runs file (N, frames, sim_s, steps, train_s, r2, wall_s, peak_rss_kb) to tabulate and plot")
	var p run
	flag.IntVar(&p.frames, "frames", 100_000, "frames of the full run to estimate")
	flag.IntVar(&p.burnin, "burnin", 1000, "burn-in steps of the full run")
	flag.IntVar(&p.epochs, "epochs", 10, "epochs of the full run")
	flag.IntVar(&p.steps, "steps", 1000, "steps per epoch of the full run")
	flag.IntVar(&p.warmup, "warmup", 1000, "warm-up steps of the full run")
	flag.IntVar(&p.solveEvery, "solve-every", 50, "steps between solves of the full run")
	flag.Float64Var(&p.validation, "validation", 0.1, "fraction of frames held out for validation")
	flag.Parse()
	err := error(nil)
	if *runs != "" {
		err = runsMain(*runs, *png)
	} else {
		err = mainErr(*in, *png, p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaling:", err)
		os.Exit(1)
	}
}

func mainErr(in, png string, p run) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readRows(f, in)
	if err != nil {
		return err
	}
	table(os.Stdout, rows, p)
	if png != "" {
		return plot(png, rows)
	}
	return nil
}

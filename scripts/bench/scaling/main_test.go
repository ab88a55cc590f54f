package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

const header = "N\tsim_ms_frame\twarmup_ms_step\talt_ms_step\tgram_ms_frame\tgram_frames\tsolve_s\twall_s\tpeak_rss_kb\tframes\tsteps\tcpu_s\n"

// Costs that grow as N and N² read back as exponents 1 and 2, and the table
// estimates a full run from the largest size's per-step costs.
func TestTableExponentsAndEstimate(t *testing.T) {
	in := header +
		"1000\t1\t100\t80\t1\t1024\t1\t10\t100000\t300\t20\t10\n" +
		"2000\t2\t200\t160\t4\t1024\t8\t20\t400000\t300\t20\t20\n" +
		"4000\t4\t400\t320\t16\t1024\t64\t40\t1600000\t300\t20\t40\n"
	rows, err := readRows(strings.NewReader(in), "r.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if p := exponent(rows, func(r row) float64 { return r.simMs }); math.Abs(p-1) > 1e-9 {
		t.Errorf("simulation exponent %g, want 1", p)
	}
	if p := exponent(rows, func(r row) float64 { return r.solveS }); math.Abs(p-3) > 1e-9 {
		t.Errorf("solve exponent %g, want 3", p)
	}
	var out bytes.Buffer
	p := run{frames: 100_000, burnin: 1000, epochs: 10, steps: 1000, warmup: 1000, solveEvery: 50, validation: 0.1}
	table(&out, rows, p)
	// At N = 4000: 101,000 frames × 4 ms = 404 s; 1000 × 0.4 s; 9000 ×
	// 0.32 s = 48 min; 180 solves × (40,000 × 16 ms + 64 s) = 35.2 h;
	// the final solve 90,000 × 16 ms + 64 s = 25.1 min.
	for _, want := range []string{"| growth | N^1.00 | N^1.00 | N^1.00 | N^2.00 | N^3.00 |", "| simulation (101000 frames) | 6.7 min |",
		"| alternating steps (9000) | 48.0 min |", "| periodic solves (180, Gram over 40000 frames each) | 35.2 h |",
		"| final solve (Gram over 90000 frames) | 25.1 min |", "50 % of 2 cores"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	// A size without the solve gets it extrapolated (N³ here: 8 × 64 s) and marked.
	rows = append(rows, row{n: 8000, simMs: 8, warmMs: 800, altMs: 640, gramMs: 64, gramFrames: 1024, frames: 200, steps: 10, wall: 80, cpu: 160, rssKB: 6.4e6})
	out.Reset()
	table(&out, rows, p)
	for _, want := range []string{"| 8000 | 8 | 800 | 640 | 64 | 512* |", "N^3.00 from the sizes that measured it", "| growth | N^1.00 | N^1.00 | N^1.00 | N^2.00 | N^3.00 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if rows[3].solveS != 0 {
		t.Errorf("table changed its rows")
	}
	if _, err := readRows(strings.NewReader(header+"1000\t1\n"), "r.tsv"); err == nil || !strings.Contains(err.Error(), "r.tsv:2: 2 fields, expected 12") {
		t.Errorf("short row: %v", err)
	}
	if _, err := readRows(strings.NewReader("N\tx\n"), "r.tsv"); err == nil || !strings.Contains(err.Error(), "r.tsv:1: header") {
		t.Errorf("bad header: %v", err)
	}
}

// The end-to-end table gives per-frame and per-step costs, the time to R²
// 0.99 where it was reached (and says where it was not), and exponents.
func TestRunsTable(t *testing.T) {
	in := "N\tframes\tsim_s\tsteps\ttrain_s\tr2\twall_s\tpeak_rss_kb\n" +
		"# a comment\n" +
		"1000\t100000\t10\t1000\t20\t0.991\t60\t1000000\n" +
		"2000\t100000\t40\t2000\t160\t0.995\t300\t4000000\n" +
		"8000\t100000\t640\t3000\t1200\t0.93\t3000\t64000000\n"
	rows, err := readRuns(strings.NewReader(in), "runs.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	runsTable(&out, rows)
	for _, want := range []string{"| 1000 | 100000 | 0.1 | 20 | 1000 | 20 s | 1.0 | 1.02 |",
		"| 8000 | 100000 | 6.4 | 400 | not reached (R² 0.930 after 3000) | > 20.0 min | 50.0 | 65.54 |",
		"| growth | | N^2.00 | ", "| N^1.00 | N^3.00 | | N^2.00 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := readRuns(strings.NewReader("N\tframes\tsim_s\tsteps\ttrain_s\tr2\twall_s\tpeak_rss_kb\n1000\t-1\t1\t1\t1\t1\t1\t1\n"), "runs.tsv"); err == nil || !strings.Contains(err.Error(), "runs.tsv:2: field frames") {
		t.Errorf("negative frames: %v", err)
	}
}

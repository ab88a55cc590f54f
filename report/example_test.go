package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/ngs-lab/ngs/report"
)

// The integrator fills one struct per section from the experiment's results,
// lists what could not be computed, and closes the report.
func Example() {
	dir, _ := os.MkdirTemp("", "ngs-example-")
	defer os.RemoveAll(dir)

	r := report.New(dir, report.Meta{
		Script: "fig2.ngs", Seed: 42, Version: "0.1.0", Start: time.Now(),
		Timings: map[string]float64{"simulate": 12.5, "train": 300},
	})
	trueW := []float32{0, 0.2, -0.1, 0.3, 0, 0.05, -0.2, 0.1, 0}
	learnedW := []float32{0, 0.19, -0.11, 0.31, 0, 0.04, -0.19, 0.12, 0}
	if err := r.AddConnectivity(report.Connectivity{N: 3, True: trueW, Learned: learnedW}); err != nil {
		fmt.Println(err)
	}
	r.Skip("external_input", "the script declares no hidden input")
	if err := r.Set("connectivity.ls_baseline_r2", 0.42); err != nil {
		fmt.Println(err)
	}
	if err := r.Close(); err != nil {
		fmt.Println(err)
	}
	r2, _ := r.Value("connectivity.r2")
	fmt.Printf("connectivity.r2 = %.3f\n", r2)
	for _, f := range []string{"metrics.json", "report.md", "connectivity_heatmaps.png", "connectivity_scatter.png"} {
		_, err := os.Stat(dir + "/" + f)
		fmt.Println(f, err == nil)
	}
	// Output:
	// connectivity.r2 = 0.995
	// metrics.json true
	// report.md true
	// connectivity_heatmaps.png true
	// connectivity_scatter.png true
}

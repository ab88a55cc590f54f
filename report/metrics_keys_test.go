package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateKeys = flag.Bool("update-keys", false, "rewrite testdata/metrics_keys.golden from the synthetic report")

// The synthetic report's metrics.json has exactly the keys (and kinds of
// value) listed in testdata/metrics_keys.golden: a key renamed, lost or
// added shows here. The list is the one the report wrote before its
// metrics were typed (generated at 92aa815), plus functions.phi_r2.<type>,
// which the report computes itself since (experiment set it before). Run
// with -update-keys to accept a deliberate change.
func TestMetricsJSONKeysAreStable(t *testing.T) {
	dir, _ := closeFull(t)
	var lines []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok && prefix != "skipped" {
			for k, child := range m {
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				walk(key, child)
			}
			return
		}
		kind := fmt.Sprintf("%T", v)
		if prefix == "skipped" {
			kind = "sections"
		}
		lines = append(lines, prefix+" "+kind)
	}
	walk("", readMetrics(t, dir))
	sort.Strings(lines)
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "metrics_keys.golden")
	if *updateKeys {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("metrics.json keys differ from %s (-update-keys to accept):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

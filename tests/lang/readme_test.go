package lang

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeTourRuns runs the first example of the README's Language tour.
func TestReadmeTourRuns(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, tour, ok := strings.Cut(string(data), "## Language tour")
	if !ok {
		t.Fatal("README.md has no Language tour section")
	}
	var code []string
	started := false
	for _, line := range strings.Split(tour, "\n") {
		if strings.HasPrefix(line, "    ") {
			code = append(code, strings.TrimPrefix(line, "    "))
			started = true
		} else if started && strings.TrimSpace(line) == "" {
			break
		}
	}
	out, errs := runChunk("tour.ngs", []byte(strings.Join(code, "\n")+"\n"))
	if len(errs) > 0 {
		t.Fatalf("tour failed: %v", errs)
	}
	if !strings.HasSuffix(out, "0.10 [3, 4] 0.6763381560643514 -4\n") || strings.Count(out, "\n") != 4 {
		t.Errorf("tour output:\n%s", out)
	}
}

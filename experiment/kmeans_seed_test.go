package experiment

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestKMeansHookIsReproducible runs the same script with a k-means
// clustering hook twice: k-means is seeded from the training seed and the
// epoch, not from a global random source, so the labels and the
// embeddings after clustering are the same.
func TestKMeansHookIsReproducible(t *testing.T) {
	src := strings.Replace(resumeScript, "cluster(threshold = 0.1, refit = 10)", "cluster(method = \"kmeans\", k = 4, refit = 10)", 1)
	var fits [2]*Fit
	for k := range fits {
		in, _, err := run(t, fmt.Sprintf(src, 2, filepath.Join(t.TempDir(), "ck"), false))
		if err != nil {
			t.Fatal(err)
		}
		fits[k] = global(t, in, "fit").(*Fit)
	}
	if fits[0].Clusters < 2 || fits[0].Clusters != fits[1].Clusters || fmt.Sprint(fits[0].Labels) != fmt.Sprint(fits[1].Labels) {
		t.Fatalf("k-means labels differ between two runs of one script: %d %v and %d %v", fits[0].Clusters, fits[0].Labels, fits[1].Clusters, fits[1].Labels)
	}
	a, b := fits[0].Model.Embeddings(), fits[1].Model.Embeddings()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("embedding %d: %g and %g after clustering the same script twice", i, a[i], b[i])
		}
	}
}

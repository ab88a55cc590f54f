package experiment

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
)

// TestClusteringSavesItsInputs checks that each clustering step writes the
// curves and embeddings it clustered beside the checkpoint, with one row
// per neuron, and that the saved embeddings are the ones before the step
// replaced them by their cluster's median.
func TestClusteringSavesItsInputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck")
	in, _, err := run(t, fmt.Sprintf(resumeScript, 2, dir, false))
	if err != nil {
		t.Fatal(err)
	}
	fit := global(t, in, "fit").(*Fit)
	n := fit.Model.N()
	features, err := npy.Options{}.Read(filepath.Join(dir, "cluster_epoch1_features.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(features.Shape) != 2 || features.Shape[0] != n || features.Shape[1] != 1000 {
		t.Fatalf("features shape %v, expected [%d 1000] (one φ* curve of 1000 points per neuron)", features.Shape, n)
	}
	emb, err := npy.Options{}.Read(filepath.Join(dir, "cluster_epoch1_embeddings.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Shape) != 2 || emb.Shape[0] != n || emb.Shape[1] != 2 {
		t.Fatalf("embeddings shape %v, expected [%d 2]", emb.Shape, n)
	}
	distinct := map[[2]float32]bool{}
	for i := 0; i < n; i++ {
		distinct[[2]float32{emb.Data[2*i], emb.Data[2*i+1]}] = true
	}
	if len(distinct) <= fit.Clusters {
		t.Fatalf("%d distinct saved embeddings for %d clusters: saved after the medians replaced them", len(distinct), fit.Clusters)
	}
}

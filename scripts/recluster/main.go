// Command recluster redoes a training run's clustering step offline, from
// the inputs it saved beside the checkpoint (cluster_epochE_features.npy
// and cluster_epochE_embeddings.npy), with single linkage at each given
// threshold, with and without refining; with -types (the recording's
// types.npy) it scores each against the true types.
//
//	recluster -dir OUT/checkpoints/gnn -epoch 2 -types OUT/sim/types.npy -thresholds 0.1,0.05
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ngs-lab/ngs/ops/cluster"
	"github.com/ngs-lab/ngs/ops/npy"
)

func main() {
	dir := flag.String("dir", "", "the checkpoint folder holding cluster_epochE_*.npy")
	epoch := flag.Int("epoch", 0, "the epoch whose clustering step to redo (as in its file names)")
	types := flag.String("types", "", "types.npy of the recording, to score against (optional)")
	thresholds := flag.String("thresholds", "0.1", "comma-separated single-linkage thresholds")
	dims := flag.Int("dims", 2, "principal components of the features")
	minSize := flag.Int("min-size", 0, "smallest cluster (0: max(3, N/100), as the clustering step)")
	flag.Parse()
	if err := recluster(*dir, *epoch, *types, *thresholds, *dims, *minSize); err != nil {
		fmt.Fprintln(os.Stderr, "recluster:", err)
		os.Exit(1)
	}
}

func recluster(dir string, epoch int, typesPath, thresholds string, dims, minSize int) error {
	prefix := filepath.Join(dir, fmt.Sprintf("cluster_epoch%d_", epoch))
	features, err := npy.Options{}.Read(prefix + "features.npy")
	if err != nil {
		return err
	}
	emb, err := npy.Options{}.Read(prefix + "embeddings.npy")
	if err != nil {
		return err
	}
	if len(features.Shape) != 2 || len(emb.Shape) != 2 {
		return fmt.Errorf("%sfeatures.npy and embeddings.npy must be 2-D, found %v and %v", prefix, features.Shape, emb.Shape)
	}
	truth, err := readTypes(typesPath)
	if err != nil {
		return err
	}
	n := features.Shape[0]
	if minSize == 0 {
		minSize = max(3, n/100)
	}
	for _, field := range strings.Split(thresholds, ",") {
		th, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
		if err != nil {
			return fmt.Errorf("-thresholds: %q is not a number", field)
		}
		for _, refine := range []bool{false, true} {
			opts := cluster.StepOptions{Dims: dims, Threshold: th, MinSize: minSize, Refine: refine}
			res, err := cluster.Step(features.Data, features.Shape[1], emb.Data, emb.Shape[1], opts)
			if err != nil {
				return err
			}
			line := fmt.Sprintf("threshold %g refine %v: %d clusters", th, refine, res.Clusters)
			if truth != nil {
				m, err := cluster.Accuracy(res.Labels, truth)
				if err != nil {
					return err
				}
				ari, _ := cluster.ARI(res.Labels, truth)
				line += fmt.Sprintf(", accuracy %.3f, ARI %.3f", m.Accuracy, ari)
			}
			fmt.Println(line)
		}
	}
	return nil
}

// readTypes reads the true types, or returns nil for no path.
func readTypes(path string) ([]int, error) {
	if path == "" {
		return nil, nil
	}
	t, err := npy.Options{}.Read(path)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(t.Data))
	for i, v := range t.Data {
		out[i] = int(v)
	}
	return out, nil
}

package cluster_test

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/cluster"
)

// The training hook's clustering step on six neurons of two types: their
// 2-D embeddings are clustered after min-max normalisation, and each cluster
// gets its median embedding and median curve.
func ExampleStep() {
	embeddings := []float32{
		1.00, 1.00, 1.01, 0.99, 0.99, 1.01, // type A
		2.00, 0.50, 2.01, 0.51, 1.99, 0.49, // type B
	}
	curves := []float32{ // φ* sampled on 3 grid points per neuron
		-1, 0, 1, -1.1, 0, 1.1, -0.9, 0, 0.9,
		-2, 0, 2, -2.1, 0, 2.1, -1.9, 0, 1.9,
	}
	result, err := cluster.Step(curves, 3, embeddings, 2, cluster.StepOptions{
		Projection: cluster.ProjectEmbeddings,
		Threshold:  0.1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(result.Labels, result.Clusters, result.Warnings)
	fmt.Println(result.MedianEmbeddings)
	fmt.Println(result.MedianCurves)
	// Output:
	// [0 0 0 1 1 1] 2 []
	// [[1 1] [2 0.5]]
	// [[-1 0 1] [-2 0 2]]
}

// Matching predicted clusters to true types. By hand: Σ C(nij,2) = 3,
// rows and columns both give 5 pairs of 21, so ARI = (3 − 25/21)/(5 − 25/21).
func ExampleAccuracy() {
	predicted := []int{2, 2, 0, 0, 1, 1, 1}
	truth := []int{0, 0, 1, 1, 2, 2, 0}
	match, _ := cluster.Accuracy(predicted, truth)
	ari, _ := cluster.ARI(predicted, truth)
	fmt.Printf("accuracy %.3f mapping %v ARI %.3f\n", match.Accuracy, match.Mapping, ari)
	// Output:
	// accuracy 0.857 mapping [1 2 0] ARI 0.475
}

package cluster

import "testing"

// BenchmarkSingleLinkage8000 clusters 8000 normalised 2-D points in 4 blobs,
// the size of the Supp 11 network.
func BenchmarkSingleLinkage8000(b *testing.B) {
	points, _ := blobs(2000, 0.5, 1)
	normalised, err := MinMaxNormalise(points)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, k, err := SingleLinkage(normalised, 0.1); err != nil || k != 4 {
			b.Fatalf("k = %d, err = %v; want 4 clusters", k, err)
		}
	}
}

// BenchmarkSingleLinkage8000Singletons is the worst case: a threshold so
// small that every point is its own cluster and all n²/2 pairs are compared.
func BenchmarkSingleLinkage8000Singletons(b *testing.B) {
	points, _ := blobs(2000, 0.5, 1)
	for i := 0; i < b.N; i++ {
		if _, k, err := SingleLinkage(points, 1e-12); err != nil || k != len(points) {
			b.Fatalf("k = %d, err = %v; want %d clusters", k, err, len(points))
		}
	}
}

// BenchmarkStepCurvesPCA1000 runs the whole clustering step on 1000 neurons
// with curves sampled on 1000 grid points (the Fig 2 setting).
func BenchmarkStepCurvesPCA1000(b *testing.B) {
	curves, embeddings, _ := typedNeurons(1000, 1000, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Step(curves, 1000, embeddings, 2, StepOptions{Threshold: 0.1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKMeans8000 runs k-means with k = 4 on 8000 2-D points.
func BenchmarkKMeans8000(b *testing.B) {
	points, _ := blobs(2000, 0.5, 1)
	for i := 0; i < b.N; i++ {
		if _, _, err := KMeans(points, 4, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepCurvesPCA8000 runs the clustering step at Supp 11 size:
// 8000 neurons, curves on 1000 grid points.
func BenchmarkStepCurvesPCA8000(b *testing.B) {
	curves, embeddings, _ := typedNeurons(8000, 1000, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Step(curves, 1000, embeddings, 2, StepOptions{Threshold: 0.1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinkageHeights8000 builds the minimum spanning tree of 8000 2-D
// points (the cost of a threshold suggestion in a degenerate-step warning).
func BenchmarkLinkageHeights8000(b *testing.B) {
	points, _ := blobs(2000, 0.5, 1)
	for i := 0; i < b.N; i++ {
		if _, err := LinkageHeights(points); err != nil {
			b.Fatal(err)
		}
	}
}

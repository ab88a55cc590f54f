// Package cluster groups neurons by their learned embeddings or learned update
// curves: min-max normalisation, PCA projection, single-linkage clustering cut
// at a distance threshold, k-means with k-means++ initialisation, per-cluster
// medians, the training hook's whole clustering step, and the scores that
// compare a clustering with true labels (Hungarian matching, accuracy, ARI).
//
// Points are [][]float64, one row per point; every function checks shapes and
// returns an error value rather than panicking.
package cluster

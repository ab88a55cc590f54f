// Package nn holds the small neural-network toolkit that the GNN of ops/gnn
// is built from: dense layers and multi-layer perceptrons evaluated over a
// matrix of rows (one row per neuron and frame), their backward passes with
// parameter gradients, sine-activated SIREN networks, an Adam optimiser with a
// learning rate per parameter group, finite-difference gradient checks, and
// custom gorgonia ops (with their own gradients) that let the same kernels be
// used as nodes of a gorgonia expression graph.
//
// All arrays are float32 and row-major. Kernels work on caller-owned,
// preallocated buffers (see Work) so that a training loop allocates nothing
// per step; matrix products go through gonum's blas32 (pure Go, parallel).
package nn

// Package eval computes the numbers a report shows (SPEC §4) from plain
// slices: connectivity R² and slope after the ψ* plateau correction, type
// recovery by clustering the embeddings, function R² on a grid, rollout and
// external-input comparisons, the helpers that re-type a network for the
// transfer experiments, and the least-squares connectivity solve with a zero
// diagonal that serves both as the report's baseline and as the trainer's
// variable-projection step.
//
// Matrices are row-major float32 slices (W[i*n+j] is the weight from sender j
// to receiver i; time series are frames×neurons). Functions return errors,
// never panic, on malformed input.
package eval

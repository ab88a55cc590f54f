//go:build !purego

package nn

// reluNEON is kernelSet.relu, 4 values at a time: n must be a multiple
// of 4.
//
//go:noescape
func reluNEON(h *float32, n int)

// reluGradNEON is kernelSet.reluGrad, 4 values at a time.
//
//go:noescape
func reluGradNEON(grad, h *float32, n int)

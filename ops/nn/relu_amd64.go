//go:build !purego

package nn

// reluAVX512 (16 values at a time) and reluAVX2 (8 at a time) are
// kernelSet.relu: n must be a multiple of the block.
//
//go:noescape
func reluAVX512(h *float32, n int)

//go:noescape
func reluAVX2(h *float32, n int)

// reluGradAVX512 and reluGradAVX2 are kernelSet.reluGrad, blocks as for
// reluAVX512 and reluAVX2.
//
//go:noescape
func reluGradAVX512(grad, h *float32, n int)

//go:noescape
func reluGradAVX2(grad, h *float32, n int)

// reluSSE and reluGradSSE are kernelSet.relu and kernelSet.reluGrad of the
// generic tier, in SSE only (the amd64 baseline), 4 values at a time: n
// must be a multiple of 4.
//
//go:noescape
func reluSSE(h *float32, n int)

//go:noescape
func reluGradSSE(grad, h *float32, n int)

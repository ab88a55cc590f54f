//go:build !amd64 || purego

package vec

// hasAVX512 is false where there is no assembly kernel.
var hasAVX512 = false

func matVecAVX512(y, a *float32, lda int, x *float32, rows, cols int) {
	panic("vec: the AVX-512 kernel is not built on this platform")
}

//go:build !amd64 || purego

package cpu

// AVX512F is false where the assembly kernels are not built.
const AVX512F = false

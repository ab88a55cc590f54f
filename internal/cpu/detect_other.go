//go:build !(amd64 || arm64) || purego

package cpu

// detect returns Generic: no assembly kernels are built here.
func detect() []Tier { return []Tier{Generic} }

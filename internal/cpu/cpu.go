// Package cpu detects the instruction-set extensions that the assembly
// kernels of ops/vec and ops/nn need, once, at start-up.
package cpu

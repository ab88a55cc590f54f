package vec

import (
	"math"
	"sync"
)

// HalfFromFloat32 returns the IEEE 754 binary16 ("half") value nearest to f,
// ties to even, as its bit pattern: ±Inf beyond 65504, subnormals below
// 2⁻¹⁴, a quiet NaN for NaN.
func HalfFromFloat32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b >> 23 & 0xff)
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	switch {
	case e >= 31:
		return sign | 0x7c00
	case e <= 0:
		return sign | halfSubnormal(mant|0x800000, uint(14-e))
	}
	h := uint32(e)<<10 | mant>>13
	// A carry out of the mantissa moves to the next exponent, and from
	// 65504 to Inf, as rounding should.
	return sign | uint16(roundShifted(h, mant&0x1fff, 0x1000))
}

// halfSubnormal returns the subnormal (or smallest normal, after rounding)
// half of the 24-bit significand m shifted right by shift bits.
func halfSubnormal(m uint32, shift uint) uint16 {
	if shift > 24 {
		return 0
	}
	return uint16(roundShifted(m>>shift, m&(1<<shift-1), 1<<(shift-1)))
}

// roundShifted rounds the truncated value h to nearest, ties to even, given
// the bits rem that were shifted out and the value half of their midpoint.
func roundShifted(h, rem, half uint32) uint32 {
	if rem > half || (rem == half && h&1 == 1) {
		h++
	}
	return h
}

// Float32FromHalf returns the float32 value of the binary16 bit pattern h
// (exact: every half is a float32).
func Float32FromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		v := float32(mant) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// RoundToHalf replaces every value of x by the nearest binary16 value (as a
// float32) and returns the half bit patterns, so that products with the
// halves equal products with the rounded x.
func RoundToHalf(x []float32) []uint16 {
	h := make([]uint16, len(x))
	for i, v := range x {
		h[i] = HalfFromFloat32(v)
		x[i] = Float32FromHalf(h[i])
	}
	return h
}

// halfKernel sets y[r] = Σ_j half(a[r*lda+j])·x[j] for r < rows and j < cols,
// cols a multiple of halfBlock; nil where the CPU has no half conversion.
type halfKernel func(y *float32, a *uint16, lda int, x *float32, rows, cols int)

// halfBlock is the column multiple the half kernels take.
const halfBlock = 16

// matVecHalfKernel is the half kernel of the tier chosen at start-up.
var matVecHalfKernel = halfKernelFor(tier)

// MatVecHalf sets y[r] = Σ_j a[r*lda+j]·x[j] for r < len(y), j < len(x),
// where a holds binary16 bit patterns (row stride lda): the product of
// MatVec with the weights in half the memory. Sums are float32. Where the
// CPU converts halves in hardware (F16C, AVX-512) it streams a at the
// speed of MatVec on half the bytes; elsewhere it converts in Go, slower.
// It returns an error when a is too short for len(y) rows.
func MatVecHalf(y []float32, a []uint16, lda int, x []float32) error {
	if err := checkMatVec(len(y), len(a), lda, len(x)); err != nil {
		return err
	}
	if len(y) == 0 {
		return nil
	}
	n := len(x)
	body := n / halfBlock * halfBlock
	if matVecHalfKernel == nil || body == 0 {
		body = 0
		clear(y)
	} else {
		matVecHalfKernel(&y[0], &a[0], lda, &x[0], len(y), body)
	}
	if body < n {
		addHalfColumns(y, a, lda, x, body)
	}
	return nil
}

// addHalfColumns adds columns [from, len(x)) of the half product to y.
func addHalfColumns(y []float32, a []uint16, lda int, x []float32, from int) {
	table := halfValues()
	for r := range y {
		row := a[r*lda : r*lda+len(x)]
		s := y[r]
		for j := from; j < len(x); j++ {
			s += table[row[j]] * x[j]
		}
		y[r] = s
	}
}

// halfValues maps every binary16 bit pattern to its float32 value.
var halfValues = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = Float32FromHalf(uint16(h))
	}
	return &t
})

// halfTable returns the binary16 → float32 table.
func halfTable() *[1 << 16]float32 { return halfValues() }

//go:build amd64 && !purego

#include "textflag.h"

// func sineAVX512(h, dh *float32, n int, c *[16]uint32, om float32) int
//
// For 16 values at a time: x = om·h, t = x·2/π + 1.5·2²³ (its low mantissa
// bits are j = round(x·2/π)), r = x − j·pio2Hi − j·pio2Lo, the sin and cos
// polynomials of r, swapped where j is odd and negated by the quadrant;
// h = sin x, dh = om·cos x. Stops before a block with |x| > bound or NaN.
TEXT ·sineAVX512(SB), NOSPLIT, $0-48
	MOVQ h+0(FP), SI
	MOVQ dh+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), AX
	VBROADCASTSS om+32(FP), Z16
	VBROADCASTSS 0(AX), Z17  // 2/π
	VBROADCASTSS 4(AX), Z18  // 1.5·2²³
	VBROADCASTSS 8(AX), Z19  // pio2Hi
	VBROADCASTSS 12(AX), Z20 // pio2Lo
	VBROADCASTSS 16(AX), Z21 // sinC1
	VBROADCASTSS 20(AX), Z22 // sinC2
	VBROADCASTSS 24(AX), Z23 // sinC3
	VBROADCASTSS 28(AX), Z24 // cosC1
	VBROADCASTSS 32(AX), Z25 // cosC2
	VBROADCASTSS 36(AX), Z26 // cosC3
	VBROADCASTSS 40(AX), Z27 // 0.5
	VBROADCASTSS 44(AX), Z28 // 1
	VPBROADCASTD 48(AX), Z29 // 0x7fffffff
	VBROADCASTSS 52(AX), Z30 // bound
	VPBROADCASTD 56(AX), Z31 // 1
	VPBROADCASTD 60(AX), Z15 // 2
	XORQ BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VMOVUPS (SI)(BX*4), Z0
	VMULPS  Z16, Z0, Z0
	VPANDD  Z29, Z0, Z1
	VCMPPS  $6, Z30, Z1, K1 // |x| > bound or unordered
	KORTESTW K1, K1
	JNE     done

	VMOVAPS      Z18, Z2
	VFMADD231PS  Z17, Z0, Z2 // t = x·2/π + magic
	VSUBPS       Z18, Z2, Z3 // j
	VMOVAPS      Z0, Z4
	VFNMADD231PS Z19, Z3, Z4 // r = x − j·pio2Hi
	VFNMADD231PS Z20, Z3, Z4 // r −= j·pio2Lo
	VMULPS       Z4, Z4, Z5  // z = r²

	VMOVAPS     Z23, Z6
	VFMADD213PS Z22, Z5, Z6
	VFMADD213PS Z21, Z5, Z6
	VMULPS      Z5, Z6, Z6
	VFMADD213PS Z4, Z4, Z6 // sin r = r·(z·p) + r

	VMOVAPS      Z26, Z7
	VFMADD213PS  Z25, Z5, Z7
	VFMADD213PS  Z24, Z5, Z7
	VMULPS       Z5, Z5, Z8
	VMOVAPS      Z28, Z9
	VFNMADD231PS Z27, Z5, Z9 // 1 − z/2
	VFMADD231PS  Z8, Z7, Z9  // cos r = z²·q + 1 − z/2

	VPTESTMD  Z31, Z2, K2      // odd quadrant
	VBLENDMPS Z9, Z6, K2, Z10  // sin x up to sign
	VBLENDMPS Z6, Z9, K2, Z11  // cos x up to sign
	VPANDD    Z15, Z2, Z12
	VPSLLD    $30, Z12, Z12
	VPXORD    Z12, Z10, Z10
	VPADDD    Z31, Z2, Z13
	VPANDD    Z15, Z13, Z13
	VPSLLD    $30, Z13, Z13
	VPXORD    Z13, Z11, Z11
	VMULPS    Z16, Z11, Z11
	VMOVUPS   Z10, (SI)(BX*4)
	VMOVUPS   Z11, (DI)(BX*4)
	ADDQ      $16, BX
	JMP       loop

done:
	MOVQ BX, ret+40(FP)
	VZEROUPPER
	RET

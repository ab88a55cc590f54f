//go:build amd64 && !purego

#include "textflag.h"

// func sineAVX2(h, dh *float32, n int, c8 *[16][8]uint32, om float32) int
//
// sineAVX512 for 8 values at a time: the constants are read as 256-bit
// memory operands from c8 (constant i at 32·i), the quadrant's odd bit is
// moved to the sign bit for VBLENDVPS. Stops before a block with
// |x| > bound or NaN and returns the number of values done.
TEXT ·sineAVX2(SB), NOSPLIT, $0-48
	MOVQ         h+0(FP), SI
	MOVQ         dh+8(FP), DI
	MOVQ         n+16(FP), CX
	MOVQ         c8+24(FP), AX
	VBROADCASTSS om+32(FP), Y15
	XORQ         BX, BX

loop:
	CMPQ      BX, CX
	JGE       done
	VMOVUPS   (SI)(BX*4), Y0
	VMULPS    Y15, Y0, Y0     // x
	VANDPS    384(AX), Y0, Y1 // |x|
	VCMPPS    $6, 416(AX), Y1, Y1 // |x| > bound or unordered
	VMOVMSKPS Y1, DX
	TESTL     DX, DX
	JNE       done

	VMOVUPS      32(AX), Y2
	VFMADD231PS  0(AX), Y0, Y2 // t = x·2/π + magic
	VSUBPS       32(AX), Y2, Y3 // j
	VMOVAPS      Y0, Y4
	VFNMADD231PS 64(AX), Y3, Y4 // r = x − j·pio2Hi
	VFNMADD231PS 96(AX), Y3, Y4 // r −= j·pio2Lo
	VMULPS       Y4, Y4, Y5     // z = r²

	VMOVUPS     192(AX), Y6
	VFMADD213PS 160(AX), Y5, Y6
	VFMADD213PS 128(AX), Y5, Y6
	VMULPS      Y5, Y6, Y6
	VFMADD213PS Y4, Y4, Y6 // sin r = r·(z·p) + r

	VMOVUPS      288(AX), Y7
	VFMADD213PS  256(AX), Y5, Y7
	VFMADD213PS  224(AX), Y5, Y7
	VMULPS       Y5, Y5, Y8
	VMOVUPS      352(AX), Y9
	VFNMADD231PS 320(AX), Y5, Y9 // 1 − z/2
	VFMADD231PS  Y8, Y7, Y9      // cos r = z²·q + 1 − z/2

	VPSLLD    $31, Y2, Y10          // sign bit: odd quadrant
	VBLENDVPS Y10, Y9, Y6, Y11      // sin x up to sign
	VBLENDVPS Y10, Y6, Y9, Y12      // cos x up to sign
	VPAND     480(AX), Y2, Y13
	VPSLLD    $30, Y13, Y13
	VXORPS    Y13, Y11, Y11
	VPADDD    448(AX), Y2, Y14
	VPAND     480(AX), Y14, Y14
	VPSLLD    $30, Y14, Y14
	VXORPS    Y14, Y12, Y12
	VMULPS    Y15, Y12, Y12
	VMOVUPS   Y11, (SI)(BX*4)
	VMOVUPS   Y12, (DI)(BX*4)
	ADDQ      $8, BX
	JMP       loop

done:
	MOVQ BX, ret+40(FP)
	VZEROUPPER
	RET

//go:build arm64 && !purego

#include "textflag.h"

// func kernelNEON(k int, a, b, c *float64, ldc int, acc bool)
//
// C[0:4][0:8] (+)= Σ_kk a[kk·4 + r]·b[kk·8 + j] over kk < k, C of row stride
// ldc (elements), overwritten unless acc. Sixteen accumulators V0–V15 (four per row) hold C; each
// step loads B's 8 values into V16–V19 and A's 4 values, each replicated,
// into V20–V23 (R1, R6, R7, R8 point at them).
TEXT ·kernelNEON(SB), NOSPLIT, $0-41
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	LSL  $3, R4
	MOVBU acc+40(FP), R9
	CBZ  R9, zero
	MOVD R3, R5
	VLD1 (R5), [V0.D2, V1.D2, V2.D2, V3.D2]
	ADD  R4, R5
	VLD1 (R5), [V4.D2, V5.D2, V6.D2, V7.D2]
	ADD  R4, R5
	VLD1 (R5), [V8.D2, V9.D2, V10.D2, V11.D2]
	ADD  R4, R5
	VLD1 (R5), [V12.D2, V13.D2, V14.D2, V15.D2]
	B    start

zero:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16

start:
	CBZ  R0, store
	ADD  $8, R1, R6
	ADD  $16, R1, R7
	ADD  $24, R1, R8

loop:
	VLD1  (R2), [V16.D2, V17.D2, V18.D2, V19.D2]
	ADD   $64, R2
	VLD1R (R1), [V20.D2]
	VLD1R (R6), [V21.D2]
	VLD1R (R7), [V22.D2]
	VLD1R (R8), [V23.D2]
	ADD   $32, R1
	ADD   $32, R6
	ADD   $32, R7
	ADD   $32, R8
	VFMLA V16.D2, V20.D2, V0.D2
	VFMLA V17.D2, V20.D2, V1.D2
	VFMLA V18.D2, V20.D2, V2.D2
	VFMLA V19.D2, V20.D2, V3.D2
	VFMLA V16.D2, V21.D2, V4.D2
	VFMLA V17.D2, V21.D2, V5.D2
	VFMLA V18.D2, V21.D2, V6.D2
	VFMLA V19.D2, V21.D2, V7.D2
	VFMLA V16.D2, V22.D2, V8.D2
	VFMLA V17.D2, V22.D2, V9.D2
	VFMLA V18.D2, V22.D2, V10.D2
	VFMLA V19.D2, V22.D2, V11.D2
	VFMLA V16.D2, V23.D2, V12.D2
	VFMLA V17.D2, V23.D2, V13.D2
	VFMLA V18.D2, V23.D2, V14.D2
	VFMLA V19.D2, V23.D2, V15.D2
	SUBS  $1, R0
	BNE   loop

store:
	MOVD R3, R5
	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R5)
	ADD  R4, R5
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R5)
	ADD  R4, R5
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R5)
	ADD  R4, R5
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R5)
	RET

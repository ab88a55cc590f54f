//go:build arm64 && !purego

#include "textflag.h"

// func sineNEON(h, dh *float32, n int, c *[16]uint32, om float32) int
//
// sineAVX512 for 4 values at a time. Go's arm64 assembler has VFMLA/VFMLS
// but no vector FMUL, FSUB, FABS or FCMGE: those are written as WORDs (the
// instruction in the comment). Stops before a block with |x| > bound or NaN
// (FCMGE is false for NaN) and returns the number of values done.
TEXT ·sineNEON(SB), NOSPLIT, $0-48
	MOVD  h+0(FP), R0
	MOVD  dh+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  c+24(FP), R5
	FMOVS om+32(FP), F16
	VDUP  V16.S[0], V16.S4
	VLD1R.P 4(R5), [V17.S4] // 2/π
	VLD1R.P 4(R5), [V18.S4] // 1.5·2²³
	VLD1R.P 4(R5), [V19.S4] // pio2Hi
	VLD1R.P 4(R5), [V20.S4] // pio2Lo
	VLD1R.P 4(R5), [V21.S4] // sinC1
	VLD1R.P 4(R5), [V22.S4] // sinC2
	VLD1R.P 4(R5), [V23.S4] // sinC3
	VLD1R.P 4(R5), [V24.S4] // cosC1
	VLD1R.P 4(R5), [V25.S4] // cosC2
	VLD1R.P 4(R5), [V26.S4] // cosC3
	VLD1R.P 4(R5), [V27.S4] // 0.5
	VLD1R.P 4(R5), [V28.S4] // 1
	VLD1R.P 4(R5), [V29.S4] // 0x7fffffff (unused: FABS)
	VLD1R.P 4(R5), [V29.S4] // bound
	VLD1R.P 4(R5), [V30.S4] // integer 1
	VLD1R.P 4(R5), [V31.S4] // integer 2
	MOVD  $0, R3

loop:
	CMP  R2, R3
	BGE  done
	VLD1 (R0), [V0.S4]
	WORD $0x6e20de00 // FMUL V0.4S, V16.4S, V0.4S: x = om·h
	WORD $0x4ea0f801 // FABS V1.4S, V0.4S
	WORD $0x6e21e7a1 // FCMGE V1.4S, V29.4S, V1.4S: bound ≥ |x| (false for NaN)
	VMOV V1.D[0], R6
	VMOV V1.D[1], R7
	AND  R6, R7, R7
	CMN  $1, R7
	BNE  done

	VORR  V18.B16, V18.B16, V2.B16
	VFMLA V17.S4, V0.S4, V2.S4 // t = magic + x·2/π
	WORD $0x4eb2d443 // FSUB V3.4S, V2.4S, V18.4S: j = t − magic
	VORR  V0.B16, V0.B16, V4.B16
	VFMLS V19.S4, V3.S4, V4.S4 // r = x − j·pio2Hi
	VFMLS V20.S4, V3.S4, V4.S4 // r −= j·pio2Lo
	WORD $0x6e24dc85 // FMUL V5.4S, V4.4S, V4.4S: z = r²

	VORR  V22.B16, V22.B16, V6.B16
	VFMLA V23.S4, V5.S4, V6.S4 // sinC2 + z·sinC3
	VORR  V21.B16, V21.B16, V7.B16
	VFMLA V6.S4, V5.S4, V7.S4  // p = sinC1 + z·(…)
	WORD $0x6e27dca8 // FMUL V8.4S, V5.4S, V7.4S: z·p
	VORR  V4.B16, V4.B16, V9.B16
	VFMLA V8.S4, V4.S4, V9.S4 // sin r = r + r·(z·p)

	VORR  V25.B16, V25.B16, V10.B16
	VFMLA V26.S4, V5.S4, V10.S4 // cosC2 + z·cosC3
	VORR  V24.B16, V24.B16, V11.B16
	VFMLA V10.S4, V5.S4, V11.S4 // q = cosC1 + z·(…)
	WORD $0x6e25dcac // FMUL V12.4S, V5.4S, V5.4S: z²
	VORR  V28.B16, V28.B16, V13.B16
	VFMLS V27.S4, V5.S4, V13.S4  // 1 − z/2
	VFMLA V11.S4, V12.S4, V13.S4 // cos r = 1 − z/2 + z²·q

	VAND  V30.B16, V2.B16, V14.B16
	VCMEQ V30.S4, V14.S4, V14.S4   // odd quadrant
	VORR  V14.B16, V14.B16, V15.B16
	VBSL  V9.B16, V13.B16, V15.B16 // sin x up to sign: odd ? cos r : sin r
	VBSL  V13.B16, V9.B16, V14.B16 // cos x up to sign: odd ? sin r : cos r
	VAND  V31.B16, V2.B16, V12.B16
	VSHL  $30, V12.S4, V12.S4
	VEOR  V12.B16, V15.B16, V15.B16
	VADD  V30.S4, V2.S4, V11.S4
	VAND  V31.B16, V11.B16, V11.B16
	VSHL  $30, V11.S4, V11.S4
	VEOR  V11.B16, V14.B16, V14.B16
	WORD $0x6e2ede0e // FMUL V14.4S, V16.4S, V14.4S: dh = om·cos x
	VST1.P [V15.S4], 16(R0)
	VST1.P [V14.S4], 16(R1)
	ADD    $4, R3
	B      loop

done:
	MOVD R3, ret+40(FP)
	RET

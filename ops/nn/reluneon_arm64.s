//go:build arm64 && !purego

#include "textflag.h"

// func reluNEON(h *float32, n int)
//
// 16 values at a time, then 4: h = FMAX(h, 0), which gives +0 for −0
// (FMAX orders −0 below +0) and propagates NaN. Go's arm64 assembler has
// no vector FMAX: it is written as WORDs (the instruction in the comment).
TEXT ·reluNEON(SB), NOSPLIT, $0-16
	MOVD h+0(FP), R0
	MOVD n+8(FP), R2
	MOVD R0, R1 // store pointer
	VEOR V31.B16, V31.B16, V31.B16
	AND  $-16, R2, R3 // values in 16-value blocks
	SUB  R3, R2, R4   // the rest, a multiple of 4
	CBZ  R3, tail

loop16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x4e3ff400 // FMAX V0.4S, V0.4S, V31.4S
	WORD   $0x4e3ff421 // FMAX V1.4S, V1.4S, V31.4S
	WORD   $0x4e3ff442 // FMAX V2.4S, V2.4S, V31.4S
	WORD   $0x4e3ff463 // FMAX V3.4S, V3.4S, V31.4S
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)
	SUBS   $16, R3
	BNE    loop16

tail:
	CBZ R4, done

loop4:
	VLD1.P 16(R0), [V0.S4]
	WORD   $0x4e3ff400 // FMAX V0.4S, V0.4S, V31.4S
	VST1.P [V0.S4], 16(R1)
	SUBS   $4, R4
	BNE    loop4

done:
	RET

// func reluGradNEON(grad, h *float32, n int)
//
// 16 values at a time, then 4: g &= FCMGT(h, #0), all ones where h > 0
// (false for NaN). FCMGT against zero is a WORD, as FMAX above.
TEXT ·reluGradNEON(SB), NOSPLIT, $0-24
	MOVD grad+0(FP), R0
	MOVD h+8(FP), R1
	MOVD n+16(FP), R2
	MOVD R0, R5 // store pointer
	AND  $-16, R2, R3
	SUB  R3, R2, R4
	CBZ  R3, tail

loop16:
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x4ea0c884 // FCMGT V4.4S, V4.4S, #0
	WORD   $0x4ea0c8a5 // FCMGT V5.4S, V5.4S, #0
	WORD   $0x4ea0c8c6 // FCMGT V6.4S, V6.4S, #0
	WORD   $0x4ea0c8e7 // FCMGT V7.4S, V7.4S, #0
	VAND   V4.B16, V0.B16, V0.B16
	VAND   V5.B16, V1.B16, V1.B16
	VAND   V6.B16, V2.B16, V2.B16
	VAND   V7.B16, V3.B16, V3.B16
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R5)
	SUBS   $16, R3
	BNE    loop16

tail:
	CBZ R4, done

loop4:
	VLD1.P 16(R1), [V4.S4]
	VLD1.P 16(R0), [V0.S4]
	WORD   $0x4ea0c884 // FCMGT V4.4S, V4.4S, #0
	VAND   V4.B16, V0.B16, V0.B16
	VST1.P [V0.S4], 16(R5)
	SUBS   $4, R4
	BNE    loop4

done:
	RET

//go:build amd64 && !purego

#include "textflag.h"

// func reluSSE(h *float32, n int)
//
// 16 values at a time, then 4, SSE only: the compare h NLE 0 (CMPPS
// predicate 6: true where h > 0 or NaN) is a mask of all-ones lanes, ANDed
// with h: +0 where h ≤ 0 (−0 included), h elsewhere (NaN kept).
TEXT ·reluSSE(SB), NOSPLIT, $0-16
	MOVQ  h+0(FP), SI
	MOVQ  n+8(FP), CX
	XORPS X15, X15
	MOVQ  CX, DX
	ANDQ  $-16, DX
	XORQ  BX, BX

loop4:
	CMPQ   BX, DX
	JGE    loop1
	MOVUPS (SI)(BX*4), X0
	MOVUPS 16(SI)(BX*4), X1
	MOVUPS 32(SI)(BX*4), X2
	MOVUPS 48(SI)(BX*4), X3
	MOVAPS X0, X4
	MOVAPS X1, X5
	MOVAPS X2, X6
	MOVAPS X3, X7
	CMPPS  X15, X4, $6 // !(h ≤ 0)
	CMPPS  X15, X5, $6
	CMPPS  X15, X6, $6
	CMPPS  X15, X7, $6
	ANDPS  X4, X0
	ANDPS  X5, X1
	ANDPS  X6, X2
	ANDPS  X7, X3
	MOVUPS X0, (SI)(BX*4)
	MOVUPS X1, 16(SI)(BX*4)
	MOVUPS X2, 32(SI)(BX*4)
	MOVUPS X3, 48(SI)(BX*4)
	ADDQ   $16, BX
	JMP    loop4

loop1:
	CMPQ   BX, CX
	JGE    done
	MOVUPS (SI)(BX*4), X0
	MOVAPS X0, X4
	CMPPS  X15, X4, $6
	ANDPS  X4, X0
	MOVUPS X0, (SI)(BX*4)
	ADDQ   $4, BX
	JMP    loop1

done:
	RET

// func reluGradSSE(grad, h *float32, n int)
//
// 16 values at a time, then 4, SSE only: the compare 0 LT h (CMPPS
// predicate 1, false for NaN) of a register of zeros is a mask of
// all-ones lanes, ANDed with g.
TEXT ·reluGradSSE(SB), NOSPLIT, $0-24
	MOVQ  grad+0(FP), DI
	MOVQ  h+8(FP), SI
	MOVQ  n+16(FP), CX
	XORPS X15, X15
	MOVQ  CX, DX
	ANDQ  $-16, DX
	XORQ  BX, BX

loop4:
	CMPQ   BX, DX
	JGE    loop1
	MOVAPS X15, X4
	MOVAPS X15, X5
	MOVAPS X15, X6
	MOVAPS X15, X7
	MOVUPS (SI)(BX*4), X0
	MOVUPS 16(SI)(BX*4), X1
	MOVUPS 32(SI)(BX*4), X2
	MOVUPS 48(SI)(BX*4), X3
	CMPPS  X0, X4, $1 // 0 < h
	CMPPS  X1, X5, $1
	CMPPS  X2, X6, $1
	CMPPS  X3, X7, $1
	MOVUPS (DI)(BX*4), X0
	MOVUPS 16(DI)(BX*4), X1
	MOVUPS 32(DI)(BX*4), X2
	MOVUPS 48(DI)(BX*4), X3
	ANDPS  X4, X0
	ANDPS  X5, X1
	ANDPS  X6, X2
	ANDPS  X7, X3
	MOVUPS X0, (DI)(BX*4)
	MOVUPS X1, 16(DI)(BX*4)
	MOVUPS X2, 32(DI)(BX*4)
	MOVUPS X3, 48(DI)(BX*4)
	ADDQ   $16, BX
	JMP    loop4

loop1:
	CMPQ   BX, CX
	JGE    done
	MOVAPS X15, X4
	MOVUPS (SI)(BX*4), X0
	CMPPS  X0, X4, $1
	MOVUPS (DI)(BX*4), X0
	ANDPS  X4, X0
	MOVUPS X0, (DI)(BX*4)
	ADDQ   $4, BX
	JMP    loop1

done:
	RET

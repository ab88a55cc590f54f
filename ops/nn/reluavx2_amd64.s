//go:build amd64 && !purego

#include "textflag.h"

// func reluAVX2(h *float32, n int)
//
// 32 values at a time, then 8: the compare 0 NGE h (NGE_UQ: true where
// h > 0 or NaN) is a mask of all-ones lanes, ANDed with h: +0 where h ≤ 0
// (−0 included), h elsewhere.
TEXT ·reluAVX2(SB), NOSPLIT, $0-16
	MOVQ   h+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPS Y15, Y15, Y15
	MOVQ   CX, DX
	ANDQ   $-32, DX
	XORQ   BX, BX

loop4:
	CMPQ    BX, DX
	JGE     loop1
	VCMPPS  $0x19, (SI)(BX*4), Y15, Y0 // !(0 ≥ h)
	VCMPPS  $0x19, 32(SI)(BX*4), Y15, Y1
	VCMPPS  $0x19, 64(SI)(BX*4), Y15, Y2
	VCMPPS  $0x19, 96(SI)(BX*4), Y15, Y3
	VANDPS  (SI)(BX*4), Y0, Y0
	VANDPS  32(SI)(BX*4), Y1, Y1
	VANDPS  64(SI)(BX*4), Y2, Y2
	VANDPS  96(SI)(BX*4), Y3, Y3
	VMOVUPS Y0, (SI)(BX*4)
	VMOVUPS Y1, 32(SI)(BX*4)
	VMOVUPS Y2, 64(SI)(BX*4)
	VMOVUPS Y3, 96(SI)(BX*4)
	ADDQ    $32, BX
	JMP     loop4

loop1:
	CMPQ    BX, CX
	JGE     done
	VCMPPS  $0x19, (SI)(BX*4), Y15, Y0
	VANDPS  (SI)(BX*4), Y0, Y0
	VMOVUPS Y0, (SI)(BX*4)
	ADDQ    $8, BX
	JMP     loop1

done:
	VZEROUPPER
	RET

// func reluGradAVX2(grad, h *float32, n int)
//
// 32 values at a time, then 8: the compare 0 < h (LT_OQ, false for NaN)
// is a mask of all-ones lanes, ANDed with g.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-24
	MOVQ   grad+0(FP), DI
	MOVQ   h+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y15, Y15, Y15
	MOVQ   CX, DX
	ANDQ   $-32, DX
	XORQ   BX, BX

loop4:
	CMPQ    BX, DX
	JGE     loop1
	VCMPPS  $0x11, (SI)(BX*4), Y15, Y0 // 0 < h
	VCMPPS  $0x11, 32(SI)(BX*4), Y15, Y1
	VCMPPS  $0x11, 64(SI)(BX*4), Y15, Y2
	VCMPPS  $0x11, 96(SI)(BX*4), Y15, Y3
	VANDPS  (DI)(BX*4), Y0, Y0
	VANDPS  32(DI)(BX*4), Y1, Y1
	VANDPS  64(DI)(BX*4), Y2, Y2
	VANDPS  96(DI)(BX*4), Y3, Y3
	VMOVUPS Y0, (DI)(BX*4)
	VMOVUPS Y1, 32(DI)(BX*4)
	VMOVUPS Y2, 64(DI)(BX*4)
	VMOVUPS Y3, 96(DI)(BX*4)
	ADDQ    $32, BX
	JMP     loop4

loop1:
	CMPQ    BX, CX
	JGE     done
	VCMPPS  $0x11, (SI)(BX*4), Y15, Y0
	VANDPS  (DI)(BX*4), Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     loop1

done:
	VZEROUPPER
	RET

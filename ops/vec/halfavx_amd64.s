//go:build amd64 && !purego

#include "textflag.h"

// func matVecHalfAVX2(y *float32, a *uint16, lda int, x *float32, rows, cols int)
//
// y[r] = Σ_j half(a[r*lda+j])·x[j] for cols a multiple of 16. VCVTPH2PS
// (F16C) widens 8 halves at a time; four rows share each load of x, each
// with two 8-wide accumulators.
TEXT ·matVecHalfAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $1, R8
	MOVQ x+24(FP), DX
	MOVQ rows+32(FP), R9
	MOVQ cols+40(FP), R10

hrows4:
	CMPQ   R9, $4
	JLT    hrows1
	LEAQ   (SI)(R8*1), R11
	LEAQ   (R11)(R8*1), R12
	LEAQ   (R12)(R8*1), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   BX, BX

hloop16x4:
	VMOVUPS     (DX)(BX*4), Y8
	VMOVUPS     32(DX)(BX*4), Y9
	VCVTPH2PS   (SI)(BX*2), Y10
	VCVTPH2PS   16(SI)(BX*2), Y11
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y11, Y9, Y4
	VCVTPH2PS   (R11)(BX*2), Y10
	VCVTPH2PS   16(R11)(BX*2), Y11
	VFMADD231PS Y10, Y8, Y1
	VFMADD231PS Y11, Y9, Y5
	VCVTPH2PS   (R12)(BX*2), Y10
	VCVTPH2PS   16(R12)(BX*2), Y11
	VFMADD231PS Y10, Y8, Y2
	VFMADD231PS Y11, Y9, Y6
	VCVTPH2PS   (R13)(BX*2), Y10
	VCVTPH2PS   16(R13)(BX*2), Y11
	VFMADD231PS Y10, Y8, Y3
	VFMADD231PS Y11, Y9, Y7
	ADDQ        $16, BX
	CMPQ        BX, R10
	JLT         hloop16x4

	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VEXTRACTF128 $1, Y0, X8
	VADDPS       X8, X0, X0
	VEXTRACTF128 $1, Y1, X8
	VADDPS       X8, X1, X1
	VEXTRACTF128 $1, Y2, X8
	VADDPS       X8, X2, X2
	VEXTRACTF128 $1, Y3, X8
	VADDPS       X8, X3, X3
	VHADDPS      X1, X0, X0
	VHADDPS      X3, X2, X2
	VHADDPS      X2, X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (R13)(R8*1), SI
	SUBQ         $4, R9
	JMP          hrows4

hrows1:
	CMPQ   R9, $0
	JEQ    hdone
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	XORQ   BX, BX

hloop16x1:
	VMOVUPS     (DX)(BX*4), Y8
	VMOVUPS     32(DX)(BX*4), Y9
	VCVTPH2PS   (SI)(BX*2), Y10
	VCVTPH2PS   16(SI)(BX*2), Y11
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y11, Y9, Y4
	ADDQ        $16, BX
	CMPQ        BX, R10
	JLT         hloop16x1

	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X8
	VADDPS       X8, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         R8, SI
	DECQ         R9
	JMP          hrows1

hdone:
	VZEROUPPER
	RET

// func matVecHalfAVX512(y *float32, a *uint16, lda int, x *float32, rows, cols int)
//
// matVecHalfAVX2 with 16-wide registers: one accumulator per row.
TEXT ·matVecHalfAVX512(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $1, R8
	MOVQ x+24(FP), DX
	MOVQ rows+32(FP), R9
	MOVQ cols+40(FP), R10

zrows4:
	CMPQ   R9, $4
	JLT    zrows1
	LEAQ   (SI)(R8*1), R11
	LEAQ   (R11)(R8*1), R12
	LEAQ   (R12)(R8*1), R13
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	XORQ   BX, BX

zloop16x4:
	VMOVUPS     (DX)(BX*4), Z8
	VCVTPH2PS   (SI)(BX*2), Z10
	VFMADD231PS Z10, Z8, Z0
	VCVTPH2PS   (R11)(BX*2), Z11
	VFMADD231PS Z11, Z8, Z1
	VCVTPH2PS   (R12)(BX*2), Z12
	VFMADD231PS Z12, Z8, Z2
	VCVTPH2PS   (R13)(BX*2), Z13
	VFMADD231PS Z13, Z8, Z3
	ADDQ        $16, BX
	CMPQ        BX, R10
	JLT         zloop16x4

	VEXTRACTF64X4 $1, Z0, Y8
	VADDPS        Y8, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y8
	VADDPS        Y8, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y8
	VADDPS        Y8, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y8
	VADDPS        Y8, Y3, Y3
	VEXTRACTF128  $1, Y0, X8
	VADDPS        X8, X0, X0
	VEXTRACTF128  $1, Y1, X8
	VADDPS        X8, X1, X1
	VEXTRACTF128  $1, Y2, X8
	VADDPS        X8, X2, X2
	VEXTRACTF128  $1, Y3, X8
	VADDPS        X8, X3, X3
	VHADDPS       X1, X0, X0
	VHADDPS       X3, X2, X2
	VHADDPS       X2, X0, X0
	VMOVUPS       X0, (DI)
	ADDQ          $16, DI
	LEAQ          (R13)(R8*1), SI
	SUBQ          $4, R9
	JMP           zrows4

zrows1:
	CMPQ   R9, $0
	JEQ    zdone
	VXORPS Z0, Z0, Z0
	XORQ   BX, BX

zloop16x1:
	VMOVUPS     (DX)(BX*4), Z8
	VCVTPH2PS   (SI)(BX*2), Z10
	VFMADD231PS Z10, Z8, Z0
	ADDQ        $16, BX
	CMPQ        BX, R10
	JLT         zloop16x1

	VEXTRACTF64X4 $1, Z0, Y8
	VADDPS        Y8, Y0, Y0
	VEXTRACTF128  $1, Y0, X8
	VADDPS        X8, X0, X0
	VHADDPS       X0, X0, X0
	VHADDPS       X0, X0, X0
	VMOVSS        X0, (DI)
	ADDQ          $4, DI
	ADDQ          R8, SI
	DECQ          R9
	JMP           zrows1

zdone:
	VZEROUPPER
	RET

// func hasF16C() bool
//
// CPUID leaf 1, ECX bit 29: the CPU converts halves (VCVTPH2PS).
TEXT ·hasF16C(SB), NOSPLIT, $0-1
	MOVL  $1, AX
	XORL  CX, CX
	CPUID
	SHRL  $29, CX
	ANDL  $1, CX
	MOVB  CX, ret+0(FP)
	RET
